// Announcements that a ROI's model changed (a version activated or rolled back to, a threshold stored), so every
// process that holds model state refreshes it at once. In process (SQLite): an event. Plant mode (PostgreSQL):
// NOTIFY bdi_model on the database, delivered to every replica (the sender included) as the same event.
import { EventEmitter } from "node:events";
import { openPgChannels, type PgChannels } from "@bdi/db";

export type ModelChange = {
  roiId: string;
  change: "activate" | "rollback" | "threshold";
  /** the version the ROI now scores with (activate / rollback), or whose threshold changed */
  versionId: string;
  /** the replica that made the change */
  from: string;
};

export const MODEL_CHANNEL = "bdi_model";

/** Emits `change` (ModelChange) for every change, this process's and (plant mode) every other replica's. */
export class ModelChanges extends EventEmitter {
  private channels: PgChannels | null = null;
  private opened: Promise<void> | null = null;

  constructor(private readonly opts: { replicaId: string; pgUrl?: string; onError?: (err: Error) => void }) {
    super();
    this.setMaxListeners(50);
  }

  /** Plant mode: starts listening (idempotent); in process: nothing to open. */
  open(): Promise<void> {
    const url = this.opts.pgUrl;
    this.opened ??= url
      ? openPgChannels(url, [MODEL_CHANNEL], { onError: this.opts.onError }).then((c) => {
        this.channels = c;
        c.on(MODEL_CHANNEL, (payload) => {
          try {
            this.emit("change", JSON.parse(payload) as ModelChange);
          } catch (err) {
            this.opts.onError?.(err as Error);
          }
        });
      })
      : Promise.resolve();
    return this.opened;
  }

  async announce(change: Omit<ModelChange, "from">): Promise<void> {
    const full: ModelChange = { ...change, from: this.opts.replicaId };
    if (!this.opts.pgUrl) {
      this.emit("change", full);
      return;
    }
    await this.open();
    await this.channels!.notify(MODEL_CHANNEL, JSON.stringify(full));
  }

  async close(): Promise<void> {
    await this.opened?.catch(() => undefined);
    await this.channels?.close();
  }
}
