// Where things are, from this workspace.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
export const INFERENCE_DIR = path.join(REPO_ROOT, "apps", "inference");
export const DASHBOARD_DIR = path.join(REPO_ROOT, "apps", "dashboard");
