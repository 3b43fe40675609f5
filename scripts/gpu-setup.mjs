#!/usr/bin/env node
// Optional: enables onnxruntime's CUDA execution provider without onnxruntime-node's own (online) installer.
// The CUDA EP libraries of onnxruntime 1.29.0 (built for CUDA 13) ship in the npm package
// com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9; we place them beside onnxruntime-node's core library,
// which is what onnxruntime-node's installer does with its download. The CUDA 13 runtime (cuBLAS, cuDNN, cudart)
// must come from the GPU machine, e.g. the nvidia-* Python packages' lib folders on LD_LIBRARY_PATH.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const PKG = "com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9";
const LIBS = ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"];

if (process.platform !== "linux" || process.arch !== "x64") {
  console.error("gpu:setup supports linux-x64 only");
  process.exit(1);
}
const require = createRequire(import.meta.url);
const ortRoot = path.dirname(require.resolve("onnxruntime-node/package.json"));
const ortVersion = require("onnxruntime-node/package.json").version;
if (ortVersion !== "1.29.0") {
  console.error(`onnxruntime-node is ${ortVersion}; the provider libraries in ${PKG} match 1.29.0 only`);
  process.exit(1);
}
const target = path.join(ortRoot, "bin", "napi-v6", "linux", "x64");
const tmp = mkdtempSync(path.join(os.tmpdir(), "bdi-gpu-"));
try {
  console.log(`fetching ${PKG} from the npm registry (about 230 MB unpacked)…`);
  const tgz = execFileSync("npm", ["pack", PKG, "--pack-destination", tmp, "--silent"], { encoding: "utf8" }).trim().split("\n").pop();
  execFileSync("tar", ["-xzf", path.join(tmp, tgz), "-C", tmp]);
  const libDir = path.join(tmp, "package", "Plugins", "Linux", "x64");
  if (!existsSync(libDir)) throw new Error(`unexpected package layout: ${libDir} missing (${readdirSync(path.join(tmp, "package")).join(", ")})`);
  for (const lib of LIBS) {
    copyFileSync(path.join(libDir, lib), path.join(target, lib));
    console.log(`placed ${lib} in ${target}`);
  }
  console.log("done: start the service with BDI_DEVICE=cuda (it falls back to CPU with a /health reason if CUDA is unusable)");
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
