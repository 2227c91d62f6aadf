import type { Architecture, RecurrentSpec } from "../../schemas/architecture.ts";
import { missingField } from "./errors.ts";

export interface RecurrentWidths {
  /** n_embd_r (f32 values per cell). */
  readonly r: number;
  /** n_embd_s. */
  readonly s: number;
}

/** n_embd_r / n_embd_s of one recurrent layer (docs/memory-model.md#recurrent-families). */
export function recurrentWidths(arch: Architecture): RecurrentWidths {
  const rs = arch.recurrent;
  if (!rs) throw missingField("recurrent", `for the recurrent layers of "${arch.arch}"`);
  const need = (k: keyof RecurrentSpec): number => {
    const v = rs[k];
    if (v === null || typeof v !== "number") throw missingField(`recurrent.${k}`, `by the ${rs.family} state formula`);
    return v;
  };
  const nEmbd = (): number => {
    if (arch.n_embd === null) throw missingField("n_embd", `by the ${rs.family} state formula`);
    return arch.n_embd;
  };
  switch (rs.family) {
    case "mamba1": {
      const dConv = need("d_conv");
      const dInner = need("d_inner");
      return { r: (dConv - 1) * dInner, s: need("d_state") * dInner };
    }
    case "mamba2":
    case "gated-delta-net": {
      const dConv = need("d_conv");
      const dInner = need("d_inner");
      const dState = need("d_state");
      const nGroup = need("n_group");
      return { r: (dConv - 1) * (dInner + 2 * nGroup * dState), s: dState * dInner };
    }
    case "rwkv6":
    case "rwkv7":
      return { r: need("token_shift_count") * nEmbd(), s: nEmbd() * need("head_size") };
    case "shortconv":
      return { r: nEmbd() * (need("l_cache") - 1), s: 0 };
    case "kda": {
      const hs = need("head_size");
      const nh = need("n_head");
      return { r: 3 * (need("d_conv") - 1) * nh * hs, s: hs * hs * nh };
    }
    case "minimax-linear": {
      const hs = need("head_size");
      return { r: 0, s: hs * hs * need("n_head") };
    }
  }
}
