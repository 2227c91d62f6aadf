/** The model loader's metadata and tensor-type lines and `print_info` lines. */
import { RE_LOADER_KV, RE_LOADER_TYPE, RE_INFO, RE_FILE_SIZE } from "./patterns.ts";
import { type ParserState, newModel } from "./state.ts";
import { GiB, MiB } from "../../../../src/lib/units.ts";

export function handleLoader(s: ParserState, t: string, n: number): boolean {
  let m: RegExpExecArray | null;
  if (t.includes("llama_model_loader:")) {
    if (t.includes("loaded meta data")) {
      newModel(s, n);
      return true;
    }
    m = RE_LOADER_KV.exec(t);
    if (m) {
      const md = s.model ?? newModel(s, n);
      md.gguf[m[1]] = { type: m[2], value: m[3].trim().slice(0, 200), line: n };
      return true;
    }
    m = RE_LOADER_TYPE.exec(t);
    if (m) {
      const md = s.model ?? newModel(s, n);
      md.tensorTypes[m[1]] = Number(m[2]);
      return true;
    }
    return t.includes("Dumping metadata");
  }
  return false;
}

export function handleInfo(s: ParserState, t: string, n: number): boolean {
  const m = RE_INFO.exec(t);
  if (!m) return false;
  const md = s.model ?? newModel(s, n);
  const key = m[1].trim();
  md.info[key] = { value: m[2], line: n };
  if (key === "file size" || key === "model size") {
    const size = RE_FILE_SIZE.exec(m[2]);
    if (size) {
      const unit = size[2] as "GiB" | "MiB";
      md.fileSize = {
        value: Number(size[1]),
        unit,
        bytes: Math.round(Number(size[1]) * (unit === "GiB" ? GiB : MiB)),
        bpw: size[3] === undefined ? undefined : Number(size[3]),
        line: n,
      };
    } else s.warnings.add(n, t, "model file size line does not read as '<n> GiB (<bpw> BPW)'");
  }
  if (key === "no_alloc") md.noAlloc = m[2] === "1" || m[2] === "true";
  return true;
}
