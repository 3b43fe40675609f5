// Worker entry: registers tsx in this thread, then loads the TypeScript worker (workers do not reliably inherit
// the main thread's loader hooks).
import { register } from "tsx/esm/api";

register();
await import("./compute-worker.ts");
