// `npm run models -- <build|import FILE.onnx|pull [--sha256 HEX] [--url URL]|list>`
// Paths are resolved against the directory npm was started from (INIT_CWD), not apps/inference.
import { resolve } from "node:path";
import { modelsCli } from "@bdi/models/cli";

const cwd = process.env.INIT_CWD ?? process.cwd();
const args = process.argv.slice(2);
if (args[0] === "import" && args[1] && !args[1].startsWith("--")) args[1] = resolve(cwd, args[1]);
modelsCli(args).then((code) => process.exit(code));
