// Lint of this workspace: the shared config (tooling/eslint).
import base from "@bdi/eslint-config/base";

export default [...base];
