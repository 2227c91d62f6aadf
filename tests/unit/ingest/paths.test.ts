/**
 * Stored paths from strangers: the run schema accepts only relative, normalised paths inside the
 * run's folder, and every place that joins one re-checks it (--reparse, the build's copy step).
 * Property tests fuzz the rule; attack tests tamper a stored run and check nothing escapes and
 * the data dir is byte-identical.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path, { join } from "node:path";
import { ingest, reparse } from "../../../scripts/ingest/index.ts";
import { RunSchema } from "../../../src/schemas/run.ts";
import { RAW_PATH_PATTERN, rawPathProblem } from "../../../src/lib/runs/raw-path.ts";
import { resolveInside } from "../../../src/lib/runs/inside-dir.ts";
import { publishedRunFiles } from "../../../src/integrations/run-files.ts";
import { LOG_FORMATS, rm, snapshot, tempDataDir, tempDir } from "./helpers.ts";
import { rng } from "../../helpers/rng.ts";

const PIECES = [
  "a",
  "b.log",
  "/",
  "/",
  "//",
  ".",
  "..",
  "../",
  "./",
  "\\",
  "\0",
  "C:",
  "c:\\",
  ":",
  "=",
  " ",
  "ü",
  "\u001b[2J",
  "\u0085",
  "\u007f",
  "~",
  "%2e%2e",
  "\ud83d\ude00",
  "x".repeat(300),
  "-",
  "_",
];

function randomPath(r: () => number): string {
  let s = "";
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

test("property: the rule, its JSON Schema pattern and resolveInside agree on 20 000 fuzzed paths", () => {
  const r = rng(13);
  const pattern = new RegExp(RAW_PATH_PATTERN, "u");
  const root = path.resolve("/srv/data/raw/run-1");
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const p = randomPath(r);
    const problem = rawPathProblem(p);
    if (p.length <= 1024)
      assert.equal(pattern.test(p), problem === undefined, `pattern vs rule on ${JSON.stringify(p)}`);
    if (problem === undefined) {
      accepted++;
      // normalised: POSIX normalisation changes nothing, and it stays strictly inside the root
      assert.equal(path.posix.normalize(p), p, JSON.stringify(p));
      const full = resolveInside(root, p);
      assert.ok(full.startsWith(root + path.sep), JSON.stringify(p));
    } else assert.throws(() => resolveInside(root, p), /must stay inside/, JSON.stringify(p));
  }
  assert.ok(accepted > 1000 && accepted < 19_000, `a mix of both (${accepted} accepted)`);
});

test("the known traversal and trick paths are refused with the reason", () => {
  const cases: Array<[string, RegExp]> = [
    ["", /empty/],
    ["../x", /"\.\." segment/],
    ["a/../../x", /"\.\." segment/],
    ["/etc/passwd", /absolute/],
    ["C:/Windows/x", /drive letter/],
    ["c:x", /drive letter/],
    ["a\\..\\..\\x", /backslash/],
    ["a\0b", /NUL/],
    ["a//b", /empty segment/],
    ["a/", /empty segment/],
    ["./a", /"\." segment/],
    ["log\u001b]0;pwned\u0007", /control character/],
    ["x".repeat(1025), /longer than 1024/],
    [`${"y".repeat(256)}/z`, /segment longer than 255/],
    ["\ud800.log", /not valid Unicode/],
  ];
  for (const [p, why] of cases) assert.match(rawPathProblem(p) ?? "accepted", why, JSON.stringify(p));
  for (const ok of ["llama.log", "case a/llama ü.log", "k=v:w", "..hidden", "a/.env", "😀.txt"])
    assert.equal(rawPathProblem(ok), undefined, ok);
});

/** A data dir holding one ingested run (a bare llama.cpp log); returns its id and run file. */
async function ingestedRun(): Promise<{ data: string; id: string; file: string }> {
  const data = tempDataDir();
  const rep = await ingest([join(LOG_FORMATS, "llama-cpp", "kv-current.log")], { dataDir: data, check: false });
  assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
  const id = rep.runs[0].id;
  return { data, id, file: join(data, "runs", `${id}.json`) };
}

type Tamper = (run: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

const TAMPERS: Array<[string, Tamper, RegExp]> = [
  [
    "original climbs out",
    (r) => (r.provenance.raw_files[0].original = "../../../../tmp/cc-pwned"),
    /raw_files\[0\]\.original: unsafe path/,
  ],
  [
    "path reads outside",
    (r) => (r.provenance.raw_files[0].path = "../../../../etc/passwd"),
    /raw_files\[0\]\.path: unsafe path/,
  ],
  [
    "absolute original",
    (r) => (r.provenance.raw_files[0].original = "/tmp/cc-pwned"),
    /original: unsafe path: is absolute/,
  ],
  ["backslash path", (r) => (r.provenance.raw_files[0].path = "..\\..\\x"), /path: unsafe path: contains a backslash/],
  [
    "source leaves data/sources",
    (r) => r.provenance.sources.push("data/sources/../../x.json"),
    /provenance\.sources\[0\]/,
  ],
  ["point raw file", (r) => (r.points[0].raw_files = ["../x"]), /points\[0\]\.raw_files\[0\]: unsafe path/],
  [
    "measured source file",
    (r) => (r.points[0].measured.kv_bytes.source.file = "/etc/shadow"),
    /kv_bytes\.source\.file: unsafe path/,
  ],
];

for (const [name, tamper, why] of TAMPERS)
  test(`--reparse of a tampered run file (${name}) is refused, names the field, writes nothing`, async () => {
    const { data, id, file } = await ingestedRun();
    try {
      const run = JSON.parse(readFileSync(file, "utf8"));
      tamper(run);
      writeFileSync(file, JSON.stringify(run, null, 2));
      const before = snapshot(data);
      const rp = await reparse({ dataDir: data, ids: [id], check: false });
      const text = rp.errors.map((e) => e.format()).join("\n");
      assert.equal(rp.ok, false);
      assert.match(text, new RegExp(`${id}\\.json`));
      assert.match(text, why);
      assert.deepEqual(snapshot(data), before, "data dir byte-identical");
      assert.equal(existsSync("/tmp/cc-pwned"), false, "nothing written outside");
    } finally {
      rm(data);
    }
  });

test("the build's copy step refuses a tampered run file, naming the file and field", async () => {
  const { data, file } = await ingestedRun();
  try {
    const runs = join(data, "runs");
    const raw = join(data, "raw");
    assert.equal(publishedRunFiles(runs, raw).length, 2, "run.json + one raw file");
    const run = JSON.parse(readFileSync(file, "utf8"));
    run.provenance.raw_files[0].path = "../../../../etc/passwd";
    writeFileSync(file, JSON.stringify(run));
    assert.throws(
      () => publishedRunFiles(runs, raw),
      (e: Error) => e.message.includes(file) && /raw_files\[0\]\.path: unsafe path/.test(e.message),
    );
    // a raw folder that is a symlink elsewhere still resolves lexically inside: the copy reads
    // only data/raw/<id>/<path>, never a path the run file chose
    run.provenance.raw_files[0].path = "kv-current.log";
    writeFileSync(file, JSON.stringify(run));
    const files = publishedRunFiles(runs, raw);
    assert.ok(files.every(([src]) => src.startsWith(data + path.sep)));
    assert.ok(
      files.every(([, rel]) =>
        /^runs\/[a-z0-9.-]+\/(run\.json|raw\/[0-9a-f]{16}-[A-Za-z0-9._-]+\.txt)$/.test(rel.split(path.sep).join("/")),
      ),
    );
  } finally {
    rm(data);
  }
});

test("a stored run that does not validate is reported field by field, not just 'does not validate'", async () => {
  const { data, id, file } = await ingestedRun();
  try {
    const run = JSON.parse(readFileSync(file, "utf8"));
    run.provenance.raw_files[0].original = "a/../../b";
    assert.equal(RunSchema.safeParse(run).success, false);
    writeFileSync(file, JSON.stringify(run));
    const rp = await ingest([join(LOG_FORMATS, "llama-cpp", "kv-current.log")], { dataDir: data, check: false });
    const text = rp.errors.map((e) => e.format()).join("\n");
    assert.equal(rp.ok, false);
    assert.match(text, /stored run does not validate/);
    assert.match(text, new RegExp(`${id}\\.json: provenance\\.raw_files\\[0\\]\\.original: unsafe path`));
  } finally {
    rm(data);
  }
});

test("ingest refuses an input file whose name the schema would not store (control characters)", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const dir = join(tmp, "run");
    mkdirSync(dir);
    cpSync(join(LOG_FORMATS, "llama-cpp", "kv-current.log"), join(dir, "llama.log"));
    writeFileSync(join(dir, "evil\u001b]0;owned\u0007.log"), "hello\n");
    const before = snapshot(data);
    const rep = await ingest([dir], { dataDir: data, check: false });
    const text = rep.errors.map((e) => e.format()).join("\n");
    assert.equal(rep.ok, false);
    assert.match(text, /file name .*control character/);
    assert.ok(!text.includes("\u001b"), "the escape is not echoed raw");
    assert.deepEqual(snapshot(data), before);
    assert.deepEqual(readdirSync(data).sort(), ["hardware", "models"]);
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("an input file name that is not valid UTF-8 is refused in words, not as a raw ENOENT", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const dir = join(tmp, "run");
    mkdirSync(dir);
    cpSync(join(LOG_FORMATS, "llama-cpp", "kv-current.log"), join(dir, "llama.log"));
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from(".log")]), "x\n");
    const before = snapshot(data);
    const rep = await ingest([dir], { dataDir: data, check: false });
    const text = rep.errors.map((e) => e.format()).join("\n");
    assert.equal(rep.ok, false);
    assert.match(text, /run\/bad-.*\.log: file name is not valid UTF-8/);
    assert.doesNotMatch(text, /ENOENT/);
    assert.deepEqual(snapshot(data), before);
  } finally {
    rm(data);
    rm(tmp);
  }
});
