import assert from "node:assert/strict";
import { test } from "node:test";
import { dataDir } from "../../../src/content-layer/data-dir.ts";

test("the data directory defaults to ./data of the build's directory", () => {
  assert.equal(dataDir({}, "/repo"), "/repo/data");
  assert.equal(dataDir({ CC_DATA_DIR: "  " }, "/repo"), "/repo/data");
});

test("CC_DATA_DIR replaces it, absolute or relative to the build's directory", () => {
  assert.equal(dataDir({ CC_DATA_DIR: "/tmp/copy" }, "/repo"), "/tmp/copy");
  assert.equal(dataDir({ CC_DATA_DIR: "../elsewhere/data" }, "/repo/site"), "/repo/elsewhere/data");
});
