/**
 * What the model and runs fieldsets hand the island: a GGUF file (header read on this device), a
 * GGUF URL, a custom architecture, a run JSON to overlay. The callbacks keep one identity for the
 * island's lifetime (the fieldsets are memoised) while the latest closure runs.
 */
import { useCallback, useRef, useState } from "preact/hooks";
import type { MeasuredRunOption } from "../../lib/calculator/catalog.ts";
import { handOff } from "../../lib/calculator/question.ts";
import { markInput, type CalcStateHook } from "./use-calc-state.ts";
import type { ClientLib, ValidateLib } from "./use-engine.ts";
import type { UrlModelHook } from "./use-url-model.ts";

export interface ModelActions {
  /** The import box: a Hugging Face id or an Ollama tag (./hub-ref.ts). */
  onImport: (text: string, budgetBytes: number | null) => void;
  /** A GGUF repo's file, chosen from the list the import offered. */
  onHfFile: (id: string, file: string) => void;
  onGgufFile: (f: File) => void;
  onGgufUrl: (url: string) => void;
  onCustom: (json: string) => string[];
  onRunFile: (f: File) => Promise<string[]>;
  /** Runs the user loaded in the browser. */
  extraRuns: MeasuredRunOption[];
  /** The answer to an Ollama tag: why the page cannot read it, and the command that does. */
  ollamaAnswer: { text: string; command: string } | null;
}

type Impl = Omit<ModelActions, "extraRuns" | "ollamaAnswer">;

/** The import box: a Hugging Face id becomes `m=hf` (loaded by ./use-url-model.ts); an Ollama tag, the CLI command. */
function importActions(
  c: CalcStateHook,
  m: UrlModelHook,
  setOllama: (a: ModelActions["ollamaAnswer"]) => void,
): Pick<Impl, "onImport" | "onHfFile"> {
  const { state, update, setNotices } = c;
  const onImport = (text: string, budgetBytes: number | null) => {
    void import("../../lib/calculator/hub-ref.ts").then((h) => {
      const ref = h.parseModelRef(text);
      setOllama(null);
      if (ref.kind === "invalid") return setNotices((n) => [...n, ref.message]);
      if (ref.kind === "ollama") {
        const command = h.ollamaCliCommand(ref.tag, state, budgetBytes);
        return setOllama({ text: h.ollamaNotice(ref.tag), command });
      }
      markInput();
      m.setHfChoice(null);
      m.beforeUrl.current = state.model === "hf" && m.beforeUrl.current ? m.beforeUrl.current : state;
      update({ model: "hf", hf: ref.id, hfFile: null, ggufUrl: null, arch: null });
    });
  };
  const onHfFile = (id: string, file: string) => {
    markInput();
    m.setHfChoice(null);
    m.beforeUrl.current = state;
    update({ model: "hf", hf: id, hfFile: file, ggufUrl: null, arch: null });
  };
  return { onImport, onHfFile };
}

interface Libs {
  lib: ClientLib | null;
  val: ValidateLib | null;
}

function actionsImpl(
  { lib, val }: Libs,
  c: CalcStateHook,
  m: UrlModelHook,
  setExtraRuns: (f: (x: MeasuredRunOption[]) => MeasuredRunOption[]) => void,
  setOllama: (a: ModelActions["ollamaAnswer"]) => void,
): Impl {
  const { state, update, setNotices } = c;
  const onGgufFile = async (file: File) => {
    markInput();
    m.setBusy(`Reading the header of ${file.name}…`);
    try {
      const [g, l] = await Promise.all([
        import("../../lib/calculator/gguf-load.ts"),
        lib ?? import("../../lib/calculator/client.ts"),
      ]);
      const model = await g.loadGgufFile(file);
      const payload = l.encodeCustom(model.architecture, model.name, model.tensorsFtype);
      m.setLoaded(model);
      m.setLoadedKey(payload);
      c.setChanges([]);
      c.pendingMark.current = true;
      c.setState((s) => {
        const patch = { model: "gguf", ggufUrl: null, arch: payload };
        const h = handOff(s, patch);
        if (h) c.setHandoff({ text: h.text, said: h.said, undo: h.undo });
        return h ? h.state : { ...s, ...patch };
      });
    } catch (e) {
      setNotices((n) => [...n, `${file.name}: ${(e as Error).message}`]);
    } finally {
      m.setBusy(null);
    }
  };
  const onGgufUrl = (url: string) => {
    if (!/^https:\/\/\S+$/.test(url)) {
      setNotices((n) => [...n, `Not an https:// URL: ${url}`]);
      return;
    }
    m.beforeUrl.current = state;
    update({ model: "gguf", ggufUrl: url, arch: null });
  };
  const onCustom = (json: string): string[] => {
    if (!lib || !val) return ["The engine is still loading."];
    const r = val.parseArchitecture(json);
    if (!r.ok) return r.errors;
    const payload = lib.encodeCustom(r.arch, r.arch.name ?? "custom");
    const name = r.arch.name ?? "custom";
    m.setLoaded({
      kind: "custom",
      name,
      architecture: r.arch,
      tensors: null,
      tensorsFtype: null,
      fileBytes: null,
      url: null,
    });
    m.setLoadedKey(payload);
    update({ model: "custom", arch: payload, ggufUrl: null });
    return [];
  };
  const onRunFile = async (file: File): Promise<string[]> => {
    if (!val) return ["The engine is still loading."];
    markInput();
    c.pendingMark.current = true;
    const r = val.parseRunJson(await file.text(), file.name);
    if (r.run) setExtraRuns((x) => [...x.filter((y) => y.id !== r.run!.id), r.run!]);
    return r.errors;
  };
  return { ...importActions(c, m, setOllama), onGgufFile: (f) => void onGgufFile(f), onGgufUrl, onCustom, onRunFile };
}

export function useModelActions(libs: Libs, c: CalcStateHook, m: UrlModelHook): ModelActions {
  const [extraRuns, setExtraRuns] = useState<MeasuredRunOption[]>([]);
  const [ollamaAnswer, setOllama] = useState<ModelActions["ollamaAnswer"]>(null);
  // Stable identities for the memoised input groups; the latest closure runs.
  const impl = useRef<Impl | null>(null);
  impl.current = actionsImpl(libs, c, m, setExtraRuns, setOllama);
  const onImport = useCallback((t: string, b: number | null) => impl.current!.onImport(t, b), []);
  const onHfFile = useCallback((id: string, f: string) => impl.current!.onHfFile(id, f), []);
  const onGgufFile = useCallback((f: File) => impl.current!.onGgufFile(f), []);
  const onGgufUrl = useCallback((u: string) => impl.current!.onGgufUrl(u), []);
  const onCustom = useCallback((j: string) => impl.current!.onCustom(j), []);
  const onRunFile = useCallback((f: File) => impl.current!.onRunFile(f), []);
  return { onImport, onHfFile, onGgufFile, onGgufUrl, onCustom, onRunFile, extraRuns, ollamaAnswer };
}
