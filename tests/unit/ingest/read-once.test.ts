/**
 * Each input is read once: hashed, sniffed and copied into the spool in one pass, and every later
 * step reads that copy. A file that changes while it is read, or is swapped for a symlink or
 * another file after the scan, is refused with its name; nothing is written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  cpSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describeFile } from "../../../scripts/ingest/files.ts";
import { Spool } from "../../../scripts/ingest/read-once.ts";
import type { IngestError } from "../../../scripts/ingest/index.ts";
import { ingest } from "../../../scripts/ingest/index.ts";
import { LOG_FORMATS, rm, snapshot, tempDataDir, tempDir } from "./helpers.ts";

const LOG = join(LOG_FORMATS, "llama-cpp", "kv-current.log");

/** A spool that appends to `victim` when asked for its copy's name: after the open, before the read. */
class GrowingSpool extends Spool {
  private readonly victim: string;
  constructor(root: string, victim: string) {
    super(root);
    this.victim = victim;
  }
  override async next(): Promise<string> {
    appendFileSync(this.victim, "one more line\n");
    return super.next();
  }
}

test("one read: the spool copy is byte-identical to what was hashed, and the sniff buffer is dropped", async () => {
  const tmp = tempDir();
  try {
    const spool = new Spool(tmp);
    const f = await describeFile(LOG, "llama.log", { spool });
    assert.ok(spool.owns(f.abs), "later reads go to the copy");
    const copy = readFileSync(f.abs);
    assert.equal(createHash("sha256").update(copy).digest("hex"), f.sha256);
    assert.equal(f.sha256, createHash("sha256").update(readFileSync(LOG)).digest("hex"));
    assert.equal(f.tool, "llama.cpp");
    assert.equal(f.head.length, 0, "no 64 KiB kept per file");
    await spool.remove();
  } finally {
    rm(tmp);
  }
});

test("a file that grows while it is read is refused, naming it", async () => {
  const tmp = tempDir();
  try {
    const victim = join(tmp, "growing.log");
    cpSync(LOG, victim);
    await assert.rejects(describeFile(victim, "growing.log", { spool: new GrowingSpool(tmp, victim) }), (e: Error) => {
      assert.match(
        (e as { format?: () => string }).format?.() ?? e.message,
        /growing\.log: changed while it was being read/,
      );
      return true;
    });
  } finally {
    rm(tmp);
  }
});

test("a file swapped for a symlink or for another file after the scan is refused, never followed", async () => {
  const tmp = tempDir();
  try {
    const secret = join(tmp, "secret.txt");
    writeFileSync(secret, "not yours\n");
    const f = join(tmp, "llama.log");
    cpSync(LOG, f);
    const seen = lstatSync(f);
    renameSync(f, `${f}.scanned`); // kept, so its inode is not reused by the replacement below
    symlinkSync(secret, f);
    await assert.rejects(describeFile(f, "llama.log", { identity: seen }), (e: IngestError) =>
      /llama\.log: is a symbolic link where the scan saw a file/.test(e.format()),
    );
    rmSync(f);
    cpSync(LOG, join(tmp, "other.log"));
    renameSync(join(tmp, "other.log"), f);
    await assert.rejects(describeFile(f, "llama.log", { identity: seen }), (e: IngestError) =>
      /llama\.log: was replaced by another file/.test(e.format()),
    );
  } finally {
    rm(tmp);
  }
});

test("ingest leaves no spool behind, whether it succeeds or fails", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const dir = join(tmp, "run");
    mkdirSync(dir);
    cpSync(LOG, join(dir, "llama.log"));
    assert.equal((await ingest([dir], { dataDir: data, check: false })).ok, true);
    writeFileSync(join(dir, "bad\\name.log"), "x\n");
    const before = snapshot(data);
    assert.equal((await ingest([dir], { dataDir: data, check: false })).ok, false);
    assert.deepEqual(snapshot(data), before);
    assert.deepEqual(
      readdirSync(data).filter((n) => n.startsWith(".ingest")),
      [],
    );
  } finally {
    rm(data);
    rm(tmp);
  }
});
