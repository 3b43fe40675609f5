// CLI of @bdi/models: build-bundled | import FILE.onnx | pull [--sha256 HEX] [--url URL] | list
import { buildBundled, bundledIds } from "./build.ts";
import { importDinov2, pullDinov2, ImportError } from "./dinov2.ts";
import { backbonePath, backboneFilePresent, loadManifest, modelsDir } from "./manifest.ts";

export async function modelsCli(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const flag = (n: string) => { const i = rest.indexOf(n); return i >= 0 ? rest[i + 1] : undefined; };
  try {
    switch (cmd) {
      case "build":
      case "build-bundled": {
        let ok = true;
        for (const id of bundledIds()) {
          const r = buildBundled({ id, force: rest.includes("--force") });
          console.log(`${r.id}: ${r.skipped ? "up to date" : "wrote"} ${r.path} (${r.bytes} bytes, sha256 ${r.sha256})`);
          if (!r.matchesManifest) {
            console.error(`error: ${r.id}: sha256 differs from models/manifest.json; the converter output changed`);
            ok = false;
          }
        }
        return ok ? 0 : 1;
      }
      case "import": {
        const file = rest.find((a) => !a.startsWith("--"));
        if (!file) { console.error("usage: models import FILE.onnx"); return 2; }
        const r = await importDinov2(file);
        if (r.randomWeights) console.error("WARNING: this model has RANDOM weights (export_dinov2.py --random-weights): use it for speed benchmarks only");
        console.log(`${r.id}: imported ${file} → ${r.path} (${r.bytes} bytes, sha256 ${r.sha256}); blocks: ${Object.entries(r.tensors).map(([k, v]) => `${k}=${v}`).join(", ")}`);
        return 0;
      }
      case "pull": {
        const r = await pullDinov2({ sha256: flag("--sha256"), url: flag("--url") });
        console.log(`${r.id}: ${r.path} (${r.bytes} bytes, sha256 ${r.sha256})`);
        return 0;
      }
      case "list": {
        const m = loadManifest();
        console.log(`models dir: ${modelsDir()}`);
        for (const e of Object.values(m.backbones)) {
          const present = backboneFilePresent(e);
          console.log(`${e.id.padEnd(22)} ${e.kind.padEnd(12)} input ${e.input.size} dim ${e.features.dim} ${present ? "present" : "missing"} ${backbonePath(e)}${e.sha256 ? ` sha256 ${e.sha256.slice(0, 12)}…` : ""}${e.id === m.default ? " (default)" : ""}`);
        }
        return 0;
      }
      default:
        console.error("usage: models <build|import FILE.onnx|pull [--sha256 HEX] [--url URL]|list>");
        return 2;
    }
  } catch (e) {
    if (e instanceof ImportError || (e as Error).name === "BackboneFileError") { console.error(`error: ${(e as Error).message}`); return 1; }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  modelsCli(process.argv.slice(2)).then((c) => process.exit(c));
}
