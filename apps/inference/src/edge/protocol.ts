// Messages between the edge process (edge.ts) and the app process it forks (app-link.ts), over Node's IPC channel.
import type { HealthSnapshot } from "../legacy/routes/health.ts";

export type AppToEdge =
  /** the app listens on this loopback port; the edge proxies every request it does not answer itself there */
  | { type: "listening"; port: number }
  /** /health's current answer: sent on every change and once a second, so its age tells the app is alive */
  | { type: "health"; snapshot: HealthSnapshot };

export type EdgeToApp =
  /** the /health requests the edge answered since the last batch, for the app's /metrics */
  { type: "health-requests"; requests: Array<{ status: number; seconds: number }> };

/** Environment flag the edge sets on the app it forks. */
export const APP_ROLE_ENV = "BDI_EDGE_APP";

/** How often the app re-sends its health snapshot. */
export const HEARTBEAT_MS = 1000;
