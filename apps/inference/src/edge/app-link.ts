// The app's side of the edge (edge.ts): tells it the loopback port, keeps its /health snapshot fresh (on every backbone
// change and once a second as a heartbeat), records the polls it answered in /metrics, and stops when it goes away.
import type { ServiceContext } from "../context.ts";
import { healthSnapshot } from "../legacy/routes/health.ts";
import { recordAnsweredElsewhere } from "../legacy/observability.ts";
import { getServices } from "../services/index.ts";
import { HEARTBEAT_MS, type AppToEdge, type EdgeToApp } from "./protocol.ts";

export function linkToEdge(ctx: ServiceContext, port: number, onEdgeGone: () => void): { publishHealth(): void } {
  const send = (m: AppToEdge) => {
    if (process.connected) process.send!(m);
  };
  const publishHealth = () => send({ type: "health", snapshot: healthSnapshot(ctx) });
  send({ type: "listening", port });
  publishHealth();
  setInterval(publishHealth, HEARTBEAT_MS).unref();

  const metrics = getServices(ctx).metrics;
  process.on("message", (m: EdgeToApp) => {
    if (m.type === "health-requests") recordAnsweredElsewhere(metrics, "GET", "/health", m.requests);
  });
  process.on("disconnect", onEdgeGone);
  return { publishHealth };
}
