// Lint of this workspace: the shared config (tooling/eslint). A test harness: it starts the real processes and
// talks to them over HTTP; it imports no service code.
import base from "@bdi/eslint-config/base";

export default [...base];
