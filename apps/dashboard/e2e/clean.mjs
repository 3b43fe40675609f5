// Clears the previous run's artifacts (screenshots, server logs) so test-results/ shows only the latest run.
import { rmSync } from "node:fs";
rmSync(new URL("../test-results", import.meta.url), { recursive: true, force: true });
