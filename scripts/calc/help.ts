/** `npm run calc -- --help` text. */
import { KV_TYPES } from "../../src/schemas/kv-type.ts";

export const HELP = `Usage: npm run calc -- --model <model> [options]

Memory llama.cpp allocates for a model: KV cache per cache instance, recurrent state, weights,
output buffer, compute buffer (estimate), runtime overhead (estimate), totals per memory pool,
and the largest context for a budget.

  --model <m>        preset id (data/models/<id>.json), display name ("Llama 3.1 70B"), Ollama
                     tag (llama3.1:70b, qwen3:14b-q8_0 also sets --weights), path/to/arch.json
                     (an architecture or a preset file), path/to/file.gguf, or
                     https://…/file.gguf (header only). A miss suggests the nearest presets.
                     hf:<owner/name>[@rev]: a Hugging Face repo — config.json (+ safetensors
                     headers) mapped like its GGUF, or a GGUF repo's file header (--gguf-file
                     or --weights picks the file). ollama:<name[:tag]>: the registry manifest's
                     model GGUF header (its projector header too). Headers only; the bytes
                     fetched are printed
  --gguf-file <f>    the file of a GGUF repo to read (hf:…-GGUF)
  --hf-endpoint <u>  Hugging Face base URL (a mirror). Default $HF_ENDPOINT, else https://huggingface.co
  --mmproj <f|url>   a vision projector GGUF beside the model: its weights (exact), the image
                     encoder's compute buffer (estimate) and the KV cells per image (gemma3,
                     LLaVA 1.5, Qwen2.5-VL, Qwen3-VL/Qwen3.5; other types: weights only). An
                     ollama: model's projector layer is used with --images alone
  --image-size <WxH> the largest image sent (Qwen-VL: tokens and encoder compute follow the
                     size; default the largest the projector accepts); --image-min-tokens /
                     --image-max-tokens <n> as llama.cpp's (default 8 / 4096 for Qwen-VL)
  -md <m>            speculative decoding's draft model (--model-draft; a preset, .gguf, hf:, ollama:):
                     its weights, KV (exact) and compute with the target's context, sequences
                     and batch; -ngld <n> its GPU layers (default -1), -ctkd/-ctvd <t> its K/V
                     types (default f16, not the target's), --draft-max <n> (default 3; no
                     memory effect for -md). This llama.cpp revision has no separate -cd
  --images <n>       images per request (default 1)   --no-mmproj-offload  projector in host memory
  --ollama-registry <u>  Ollama registry base URL. Default $OLLAMA_REGISTRY, else https://registry.ollama.ai
  --list [filter]    list the presets (id, name, trained context, Ollama tags), e.g. --list qwen3
  --ctx <n>          context: 32768, 32k, 128K (k = ×1024). Default 0 = the model's training
                     context (llama.cpp's default). llama.cpp: TOTAL over all sequences;
                     ollama: num_ctx PER REQUEST
  --ctk <t>, --ctv <t>  K / V cache type; --kv <t> sets both. Types: ${KV_TYPES.join(" ")}
                     (turbo* only with --engine turboquant). Default f16
  --parallel <n>     sequences (n_seq_max, 1–256). Default 1
  --unified | --no-unified  one KV stream for all sequences, or one per sequence. Default
                     --no-unified. Without --parallel this is llama-cli: n_seq 1, not unified
                     (a default llama-server runs -np 4 with unified KV: pass both)
  --swa-full         full-size caches for sliding-window layers
  --fa on|off|auto   flash attention. Default auto (resolves to on)
  --ubatch <n>       physical batch. Default 512       --batch <n>   logical batch. Default 2048
  --ngl <n>          layers on the GPU (-1 = all, the default; the output layer counts first)
  --no-kv-offload    keep KV cache and recurrent state in host memory
  --engine <e>       llama.cpp | turboquant | ollama. Default llama.cpp
  --revision <r>     rule revision: llama.cpp current|2025-11-07|2025-10-28|2025-07-16;
                     turboquant 2026-05|2026-03; ollama 2026-05. Default: newest
  --backend <b>      cuda | metal | cpu (compute-buffer and overhead rules). Default cuda
  --weights <ftype>  weights file type, e.g. Q4_K_M, Q8_0, F16 (a GGUF: its exact tensor table).
                     Default: an Ollama tag's suffix (qwen3:14b-q8_0), else the preset's default
                     variant — the one it marks, else the Ollama library tag's ftype, else its
                     exactly measured file, else Q4_K_M (the calculator page's choice); the
                     output names it. A bare architecture .json has no weights: they count as
                     0 B, said by an error line at the top
  --weights-zero     with --budget: answer even though the weights are unknown (0 B); without
                     it such a budget question exits 1 rather than claim a fit
  --budget <size>    memory budget, e.g. 24GiB, 27GB: prints the largest context that fits
                     (up to the model's trained context, and what memory would allow past it),
                     also per KV type; when --ctx does not fit (or leaves under 10 %), the
                     calculator's suggestions (--n-cpu-moe, -ngl, KV type, weights, context)
  --hardware <hw>    a catalog machine as the budget ("M3 Max 36 GB", "rtx 4090", an id of
                     data/hardware): usable memory after its reservations and, on Apple Silicon,
                     the GPU working-set limit; sets --backend (metal / cuda) unless given
  --pool <p>         what the budget limits: device | total | host. Default device for cuda,
                     total for metal/cpu
Placement (llama.cpp spellings; -ngl -sm -ts -mg -ot -cmoe -ncmoe -lm -nkvo are accepted too):
  --devices <list>   GPUs in order: kind:size[/free], kind cuda|rocm|vulkan|metal,
                     e.g. "cuda:24GiB,cuda:24GiB" (layers split by free memory unless -ts)
                     Without --fit: the largest context for the placement as given (the
                     device that goes over first named), as the calculator shows for a PC,
                     and when it does not fit the calculator's PC suggestions (--json:
                     placed_suggestions)
  --rpc <list>       RPC servers host:port=memory, comma-separated (llama.cpp puts them first)
  --host-memory <s>  system RAM of the machine
  --split-mode <m>   -sm none|layer. Default layer (row: refused, llama.cpp has no split
                     buffers on these backends at this revision)
  --tensor-split <l> -ts 3,1: proportions per device   --main-gpu <i>  -mg: device of -sm none
  --override-tensor <regex=buft,…>  -ot, repeatable, first match wins; buft CPU, CUDA1,
                     RPC0[host:port] …
  --cpu-moe          all expert tensors on the host   --n-cpu-moe <n>  those of blocks 0…n−1
  --load-mode <m>    mmap | none | mlock | mmap+mlock (this revision; older: --no-mmap, --mlock)
  --fit              solve for the machine: every layer on the devices if they fit, else the
                     experts of the first blocks on the host (--n-cpu-moe), else fewer layers
                     (-ngl); then the largest context; prints the llama.cpp flags
  --fit-target <MiB> free memory to leave per device (default 1024, as llama.cpp's -fitt)
  --fit-ctx <n>      smallest context worth running (default 4096, as llama.cpp's -fitc)
  --json             print the breakdown object (all sizes in bytes) instead of the table,
                     with buffers[] (every buffer llama.cpp would print) and devices[]
  --help             this text

Exit codes: 0 ok, 1 model cannot be sized or bad model file, 2 usage error.`;
