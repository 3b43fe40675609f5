// Lint of this workspace: the shared config (tooling/eslint) and its import boundaries.
import base from "@bdi/eslint-config/base";
import { inferenceBoundaries } from "@bdi/eslint-config/boundaries";

export default [...base, ...inferenceBoundaries];
