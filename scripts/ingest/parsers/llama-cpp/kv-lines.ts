/**
 * Buffer lines (model, KV, RS, compute, output, DSV4 state) and the KV / recurrent-state size lines,
 * iSWA and DSA caches included.
 */
import type { BufferComponent, BufferLine, KvSizeLine, RsSizeLine } from "./types.ts";
import { RE_BUFFER, RE_DSV4, RE_KV_SIZE, RE_KV_SELF, RE_RS_SIZE, typed } from "./patterns.ts";
import { type ParserState, context, lastCache, openCache, cacheFor, newModel } from "./state.ts";
import { mibToBytes } from "../common.ts";

export function handleBuffer(s: ParserState, t: string, n: number): boolean {
  let m = RE_BUFFER.exec(t);
  let component: BufferComponent;
  let device: string;
  let mibStr: string;
  let prefix: string;
  if (m) {
    prefix = m[1];
    device = m[2];
    mibStr = m[4];
    const kind = m[3];
    if (kind === "KV") component = "kv";
    else if (kind === "RS") component = "rs";
    else if (kind === "compute") component = "compute";
    else if (kind === "output") component = "output";
    else if (kind === "model") component = "model";
    else if (/load_tensors/.test(prefix)) component = "model";
    else return false;
  } else {
    m = RE_DSV4.exec(t);
    if (!m) return false;
    prefix = m[1];
    device = m[2];
    mibStr = m[4];
    component = "state";
  }
  const mib = Number(mibStr);
  if (!Number.isFinite(mib) || mib < 0) {
    s.warnings.add(n, t, `buffer size "${mibStr}" is not a non-negative number of MiB`);
    return true;
  }
  const b: BufferLine = { component, device, mib, bytes: mibToBytes(mib), prefix, line: n };
  if (component === "model") {
    if (!s.model) s.model = newModel(s, n);
    if (mib === 0) {
      s.modelZeroLines++;
      return true;
    }
    s.model.buffers.push(b);
    return true;
  }
  const c = context(s, n);
  if (mib === 0) {
    c.zeroBufferLines++;
    if (component !== "compute") return true;
  } else c.nonZeroBufferLines++;
  switch (component) {
    case "kv":
      cacheFor(s, c, n, "buffer").buffers.push(b);
      break;
    case "state": {
      const k = lastCache(s, c);
      const target = k && k.kind === "dsv4" && !k.size ? k : openCache(s, c, n, "dsv4");
      target.buffers.push(b);
      break;
    }
    case "rs": {
      const r = c.recurrent[c.recurrent.length - 1];
      if (!r || r.size) c.recurrent.push({ buffers: [b], line: n });
      else r.buffers.push(b);
      break;
    }
    case "output": {
      const i = c.output.findIndex((o) => o.device === b.device);
      if (i >= 0) c.output[i] = b;
      else c.output.push(b);
      break;
    }
    case "compute":
      if (!s.computeBlock) s.computeBlock = [];
      s.computeBlock.push(b);
      return true;
  }
  return true;
}

export function handleSizeLine(s: ParserState, t: string, n: number): boolean {
  if (t.includes(" R (")) {
    const m = RE_RS_SIZE.exec(t);
    if (!m) return false;
    const c = context(s, n);
    const size: RsSizeLine = {
      mib: Number(m[1]),
      bytes: mibToBytes(Number(m[1])),
      cells: Number(m[2]),
      layers: Number(m[3]),
      nSeq: Number(m[4]),
      rsSeq: m[5] === undefined ? undefined : Number(m[5]),
      r: typed(m[6], m[7]),
      s: typed(m[8], m[9]),
      line: n,
    };
    const r = c.recurrent[c.recurrent.length - 1];
    if (!r || r.size) c.recurrent.push({ buffers: [], size, line: n });
    else r.size = size;
    return true;
  }
  const m = RE_KV_SIZE.exec(t);
  if (!m) return false;
  const c = context(s, n);
  const format: KvSizeLine["format"] = m[5] === undefined ? "cells-layers" : m[6] === undefined ? "seqs" : "current";
  const size: KvSizeLine = {
    mib: Number(m[2]),
    bytes: mibToBytes(Number(m[2])),
    cells: Number(m[3]),
    layers: Number(m[4]),
    nSeqMax: m[5] === undefined ? undefined : Number(m[5]),
    nStream: m[6] === undefined ? undefined : Number(m[6]),
    k: typed(m[7], m[8]),
    v: m[9] === undefined ? undefined : typed(m[9], m[10]),
    format,
    prefix: m[1],
    line: n,
  };
  if (size.mib === 0) return true;
  cacheFor(s, c, n, "size").size = size;
  return true;
}

export function handleKvSelf(s: ParserState, t: string, n: number): boolean {
  const m = RE_KV_SELF.exec(t);
  if (!m) return false;
  const c = context(s, n);
  const size: KvSizeLine = {
    mib: Number(m[2]),
    bytes: mibToBytes(Number(m[2])),
    k: typed(m[3], m[4]),
    v: m[5] === undefined ? undefined : typed(m[5], m[6]),
    format: "kv-self-size",
    prefix: m[1],
    line: n,
  };
  if (size.mib === 0) return true;
  const k = cacheFor(s, c, n, "size");
  k.size = size;
  if (k.meta) {
    size.cells = k.meta.kvSize;
    size.layers = k.meta.nLayer;
  }
  return true;
}
