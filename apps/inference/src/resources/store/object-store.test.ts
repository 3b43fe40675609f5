// The object store's one contract, run against both implementations: the data root, and an S3 bucket on an offline
// S3 server (s3rver) reached through the real AWS SDK.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../config.ts";
import { startTestS3, type TestS3 } from "../../testing/s3-server.ts";
import { createObjectStore, type ObjectStore } from "./object-store.ts";

const roots: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), "bdi-store-"));
  roots.push(d);
  return d;
};
let s3: TestS3;
before(async () => {
  s3 = await startTestS3();
});
after(async () => {
  await s3?.close();
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out.sort();
}

const kinds: Array<[string, (dataRoot: string) => ObjectStore]> = [
  ["data root", (dataRoot) => createObjectStore(loadConfig({ BDI_DATA_ROOT: dataRoot }))],
  ["S3 (s3rver through @aws-sdk/client-s3)", (dataRoot) => createObjectStore(loadConfig({ BDI_DATA_ROOT: dataRoot, ...s3.env, BDI_STORE: `${s3.env.BDI_STORE}-${path.basename(dataRoot)}` }))],
];

for (const [name, make] of kinds) {
  describe(`object store: ${name}`, () => {
    it("put / get / exists / list by prefix / delete / delete a prefix", async () => {
      const store = make(tmp());
      await store.ping();
      const a = Buffer.from("first crop");
      await store.put("inspections/r/x__y/2026-01-01/1.png", a);
      await store.put("inspections/r/x__y/2026-01-01/1_heatmap.png", Buffer.from("heat"));
      await store.put("inspections/r/x__y/2026-01-02/2.png", Buffer.from("second"));
      await store.put("samples/r/x__y/ok/abc_1.png", Buffer.from("sample"));
      assert.deepEqual(await store.get("inspections/r/x__y/2026-01-01/1.png"), a);
      assert.equal(await store.get("inspections/r/x__y/2026-01-01/none.png"), null);
      assert.equal(await store.exists("samples/r/x__y/ok/abc_1.png"), true);
      assert.equal(await store.exists("samples/r/x__y/ok/abc_2.png"), false);
      assert.deepEqual(await keys(store, "inspections/r/x__y/2026-01-01"), ["inspections/r/x__y/2026-01-01/1.png", "inspections/r/x__y/2026-01-01/1_heatmap.png"]);
      assert.equal((await keys(store, "inspections")).length, 3);
      assert.deepEqual(await keys(store, "nothing"), []);
      for await (const o of store.list("samples")) {
        assert.equal(o.size, 6);
        assert.ok(Math.abs(o.lastModified.getTime() - Date.now()) < 120_000, "lastModified is the write time");
      }
      // Overwrite: the new bytes whole.
      await store.put("samples/r/x__y/ok/abc_1.png", Buffer.from("sample v2"));
      assert.equal((await store.get("samples/r/x__y/ok/abc_1.png"))!.toString(), "sample v2");
      await store.delete("inspections/r/x__y/2026-01-02/2.png");
      await store.delete("inspections/r/x__y/2026-01-02/2.png"); // absent: fine
      assert.equal(await store.exists("inspections/r/x__y/2026-01-02/2.png"), false);
      assert.equal(await store.deletePrefix("inspections/r/x__y/2026-01-01"), 2);
      assert.deepEqual(await keys(store, "inspections"), []);
      assert.deepEqual(await keys(store, "samples"), ["samples/r/x__y/ok/abc_1.png"]);
    });

    it("files: upload one, download it atomically, a local copy for the engine", async () => {
      const root = tmp();
      const store = make(root);
      const big = Buffer.alloc(3 * 1024 * 1024 + 7, 1);
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
      const src = path.join(tmp(), "bank.f32");
      writeFileSync(src, big);
      await store.putFile("models/r/x__y/v0001-abc/bank.f32", src);
      const dst = path.join(tmp(), "sub", "bank.f32");
      assert.equal(await store.getToFile("models/r/x__y/v0001-abc/bank.f32", dst), true);
      assert.ok(readFileSync(dst).equals(big));
      assert.deepEqual(readdirSync(path.dirname(dst)), ["bank.f32"], "no temp file left");
      assert.equal(await store.getToFile("models/r/x__y/v0001-abc/none.f32", path.join(tmp(), "x")), false);

      await store.put("samples/r/x__y/ok/abc_1.png", Buffer.from("png bytes"));
      const local = await store.localFile("samples/r/x__y/ok/abc_1.png");
      assert.ok(local && existsSync(local));
      assert.equal(readFileSync(local).toString(), "png bytes");
      if (store.kind === "local") assert.equal(local, path.join(root, "samples/r/x__y/ok/abc_1.png"), "the data root's own file: no copy");
      else assert.ok(local.startsWith(path.join(root, "cache", "store")), local);
      assert.equal(await store.localFile("samples/r/x__y/ok/none.png"), null);
    });

    it("refuses keys that leave the store", async () => {
      const store = make(tmp());
      for (const bad of ["../x", "/etc/passwd", "a/../../b", "a\\b", "a//b", ""]) await assert.rejects(store.put(bad, Buffer.from("x")), /invalid object key/);
    });
  });
}

describe("object store configuration", () => {
  it("BDI_STORE must be s3://bucket[/prefix]; the S3 store's ping fails for a bucket that is not there", async () => {
    assert.throws(() => loadConfig({ BDI_DATA_ROOT: tmp(), BDI_STORE: "minio://x" }), /BDI_STORE must be s3:\/\/bucket/);
    assert.throws(() => loadConfig({ BDI_DATA_ROOT: tmp(), BDI_STORE: "s3://b", BDI_S3_ENDPOINT: "not a url" }), /BDI_S3_ENDPOINT/);
    const store = createObjectStore(loadConfig({ BDI_DATA_ROOT: tmp(), ...s3.env, BDI_STORE: "s3://no-such-bucket/p" }));
    assert.equal(store.location, "s3://no-such-bucket/p");
    await assert.rejects(store.ping());
    assert.equal(createObjectStore(loadConfig({ BDI_DATA_ROOT: tmp() })).kind, "local");
  });
});
