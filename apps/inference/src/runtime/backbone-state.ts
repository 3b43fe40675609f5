// Tracks the shared backbone through start-up: /health answers 503 until it is ready.
import type { Backbone } from "../engine/backbone.ts";

export type BackboneInfo = {
  id: string;
  device: string;
  /** Why the requested device is not in use (e.g. "cuda_not_available"); absent when all is as asked. */
  deviceReason?: string;
};

export type BackboneState<B extends BackboneInfo = Backbone> =
  | { status: "starting"; since: number }
  | { status: "ready"; backbone: B; readyAt: number; loadMs: number }
  | { status: "error"; error: string; at: number };

export class BackboneHolder<B extends BackboneInfo = Backbone> {
  private state: BackboneState<B> = { status: "starting", since: Date.now() };
  private waiters: Array<(b: B) => void> = [];

  get current(): BackboneState<B> {
    return this.state;
  }

  /** The backbone when ready, else null (callers map null to a 503). */
  get ready(): B | null {
    return this.state.status === "ready" ? this.state.backbone : null;
  }

  async load(loader: () => Promise<B>): Promise<void> {
    const t0 = Date.now();
    try {
      const backbone = await loader();
      this.state = { status: "ready", backbone, readyAt: Date.now(), loadMs: Date.now() - t0 };
      for (const w of this.waiters.splice(0)) w(backbone);
    } catch (err) {
      this.state = { status: "error", error: err instanceof Error ? err.message : String(err), at: Date.now() };
    }
  }

  /** Resolves once the backbone is ready (used by jobs queued during start-up). */
  whenReady(): Promise<B> {
    const b = this.ready;
    return b ? Promise.resolve(b) : new Promise((resolve) => this.waiters.push(resolve));
  }
}
