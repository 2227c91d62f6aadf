/**
 * A projector's tensor table from its published geometry (data/projectors.json), so a catalog
 * preset's vision projector is sized without its file: the tensors llama.cpp's multimodal library
 * loads for the projector type (tools/mtmd/clip.cpp `load_tensors` at de3ff81) with F16
 * matrices and F32 biases, norms and embedding tables, as an F16 mmproj holds them. Pure.
 * The result is a GGUF header as src/lib/gguf reads one, so visionProjector() sizes it by the same
 * rules as a file (docs/memory-model.md#vision-projectors). Checked: the tables' byte sums equal
 * llama-mtmd-cli's `model size` for the same geometries (tests/fixtures/mmproj).
 */
import type { ProjectorFacts } from "../../schemas/projector.ts";
import { ggmlTensorBytes, ggmlTypeByName } from "../gguf/ggml-types.ts";
import type { GgufHeader, GgufMetadata, GgufTensor } from "../gguf/header.ts";

type Spec = [name: string, shape: number[], type: "f16" | "f32"];

function vitLayer(t: Spec[], il: number, e: number, ff: number, fusedQkv: boolean): void {
  const b = `v.blk.${il}`;
  if (fusedQkv) t.push([`${b}.attn_qkv.weight`, [e, 3 * e], "f16"], [`${b}.attn_qkv.bias`, [3 * e], "f32"]);
  else
    for (const p of ["attn_q", "attn_k", "attn_v"])
      t.push([`${b}.${p}.weight`, [e, e], "f16"], [`${b}.${p}.bias`, [e], "f32"]);
  t.push([`${b}.attn_out.weight`, [e, e], "f16"], [`${b}.attn_out.bias`, [e], "f32"]);
  for (const p of ["ln1", "ln2"]) t.push([`${b}.${p}.weight`, [e], "f32"], [`${b}.${p}.bias`, [e], "f32"]);
  t.push([`${b}.ffn_up.weight`, [e, ff], "f16"], [`${b}.ffn_up.bias`, [ff], "f32"]);
  t.push([`${b}.ffn_down.weight`, [ff, e], "f16"], [`${b}.ffn_down.bias`, [e], "f32"]);
}

/** Gemma 3 (PROJECTOR_TYPE_GEMMA3): SigLIP tower, post-norm, soft-embedding norm, input projection. */
function gemma3(f: ProjectorFacts, text: number): Spec[] {
  const e = f.hiddenSize;
  const t: Spec[] = [
    ["v.patch_embd.weight", [f.patchSize, f.patchSize, 3, e], "f32"],
    ["v.patch_embd.bias", [e], "f32"],
    ["v.position_embd.weight", [e, (f.imageSize / f.patchSize) ** 2], "f32"],
  ];
  for (let il = 0; il < f.layers; il++) vitLayer(t, il, e, f.intermediateSize, false);
  t.push(["v.post_ln.weight", [e], "f32"], ["v.post_ln.bias", [e], "f32"]);
  t.push(["mm.input_projection.weight", [text, e], "f16"], ["mm.soft_emb_norm.weight", [e], "f32"]);
  return t;
}

/** Qwen3-VL / Qwen3.5 (PROJECTOR_TYPE_QWEN3VL): split temporal patch conv, fused QKV, deepstack mergers, 2×2 merger. */
function qwen3vl(f: ProjectorFacts, text: number): Spec[] {
  const e = f.hiddenSize;
  const m = 4 * e;
  const t: Spec[] = [
    ["v.patch_embd.weight", [f.patchSize, f.patchSize, 3, e], "f16"],
    ["v.patch_embd.weight.1", [f.patchSize, f.patchSize, 3, e], "f16"],
    ["v.patch_embd.bias", [e], "f32"],
    ["v.position_embd.weight", [e, f.positionEmbeddings ?? 2304], "f32"],
  ];
  const deep = new Set(f.deepstack);
  for (let il = 0; il < f.layers; il++) {
    vitLayer(t, il, e, f.intermediateSize, true);
    if (!deep.has(il)) continue;
    const d = `v.deepstack.${il}`;
    t.push([`${d}.norm.weight`, [m], "f32"], [`${d}.norm.bias`, [m], "f32"]);
    t.push([`${d}.fc1.weight`, [m, m], "f16"], [`${d}.fc1.bias`, [m], "f32"]);
    t.push([`${d}.fc2.weight`, [m, text], "f16"], [`${d}.fc2.bias`, [text], "f32"]);
  }
  t.push(["v.post_ln.weight", [e], "f32"], ["v.post_ln.bias", [e], "f32"]);
  t.push(["mm.0.weight", [m, m], "f16"], ["mm.0.bias", [m], "f32"]);
  t.push(["mm.2.weight", [m, text], "f16"], ["mm.2.bias", [text], "f32"]);
  return t;
}

/** The projector of a catalog preset as a GGUF header (no data section); `textEmbd` is the LLM's n_embd. */
export function projectorHeader(f: ProjectorFacts, textEmbd: number, source: string): GgufHeader {
  const specs = f.type === "gemma3" ? gemma3(f, textEmbd) : qwen3vl(f, textEmbd);
  let offset = 0;
  const tensors: GgufTensor[] = specs.map(([name, shape, type]) => {
    const info = ggmlTypeByName(type);
    const bytes = Number(ggmlTensorBytes(info, shape));
    const t = { name, shape, typeId: info.id, type, offset, bytes, elements: shape.reduce((a, b) => a * b, 1) };
    offset += bytes;
    return t;
  });
  const metadata: GgufMetadata = {
    "general.architecture": "clip",
    "clip.projector_type": f.type,
    "clip.vision.image_size": f.imageSize,
    "clip.vision.patch_size": f.patchSize,
    "clip.vision.embedding_length": f.hiddenSize,
    "clip.vision.feed_forward_length": f.intermediateSize,
    "clip.vision.block_count": f.layers,
    "clip.vision.attention.head_count": f.heads,
    "clip.vision.projection_dim": textEmbd,
    ...(f.type === "qwen3vl_merger" ? { "clip.vision.spatial_merge_size": 2 } : {}),
  };
  return {
    version: 3,
    metadata,
    types: {},
    tensors,
    dataOffset: 0,
    alignment: 32,
    tensorBytes: offset,
    nParams: tensors.reduce((s, t) => s + t.elements, 0),
    fileSize: null,
    bytesRead: 0,
    source,
  };
}
