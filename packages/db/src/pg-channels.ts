// PostgreSQL LISTEN/NOTIFY for plant mode: one dedicated connection per replica that listens on a few channels and
// publishes on them. Replicas use it to tell each other what changed (a job's progress, a ROI's active version or
// threshold) at once. NOTIFY is delivered to every listening session after the sender's transaction commits, the
// sender's own session included, so a replica handles its own announcements like everyone else's.
//
// The connection is re-opened when it drops (server restart, network): notifications sent meanwhile are lost, so
// `onReconnect` handlers re-read whatever they mirror.
import pg from "pg";

/** NOTIFY payloads must stay under 8000 bytes (PostgreSQL's limit); callers send ids and small snapshots. */
export const MAX_NOTIFY_BYTES = 7900;

export interface PgChannels {
  /** Publishes `payload` on `channel` (delivered to every listener, this one included). */
  notify(channel: string, payload: string): Promise<void>;
  /** Calls `handler` for each notification on `channel`; returns the unsubscribe function. */
  on(channel: string, handler: (payload: string) => void): () => void;
  /** Called after the connection was lost and re-opened. */
  onReconnect(handler: () => void): void;
  close(): Promise<void>;
}

export async function openPgChannels(
  url: string,
  channels: string[],
  opts: { onError?: (err: Error) => void; reconnectDelayMs?: number } = {},
): Promise<PgChannels> {
  const handlers = new Map<string, Set<(payload: string) => void>>(channels.map((c) => [c, new Set()]));
  const reconnectHandlers: Array<() => void> = [];
  const delay = opts.reconnectDelayMs ?? 1000;
  let closed = false;
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  const ident = (c: string) => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(c)) throw new Error(`channel name ${c}: lower-case letters, digits and _`);
    return c;
  };

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: url, application_name: "bdi-channels" });
    c.on("notification", (n) => {
      for (const h of handlers.get(n.channel) ?? []) {
        try {
          h(n.payload ?? "");
        } catch (err) {
          opts.onError?.(err as Error);
        }
      }
    });
    c.on("error", (err) => opts.onError?.(err));
    c.on("end", () => {
      if (client === c) client = null;
      if (!closed) scheduleReconnect();
    });
    await c.connect();
    for (const ch of channels) await c.query(`LISTEN ${ident(ch)}`);
    return c;
  };

  const open = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client);
    if (!connecting) {
      connecting = connect().then((c) => {
        client = c;
        connecting = null;
        if (closed) void c.end();
        return c;
      }, (err) => {
        connecting = null;
        throw err;
      });
    }
    return connecting;
  };

  let timer: NodeJS.Timeout | null = null;
  const scheduleReconnect = () => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      open().then(() => {
        for (const h of reconnectHandlers) h();
      }, (err: Error) => {
        opts.onError?.(err);
        scheduleReconnect();
      });
    }, delay);
    timer.unref();
  };

  await open();
  return {
    async notify(channel, payload) {
      if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) throw new Error(`NOTIFY payload on ${channel} over ${MAX_NOTIFY_BYTES} bytes`);
      const c = await open();
      await c.query("SELECT pg_notify($1, $2)", [ident(channel), payload]);
    },
    on(channel, handler) {
      const set = handlers.get(channel);
      if (!set) throw new Error(`not listening on ${channel} (opened with: ${channels.join(", ")})`);
      set.add(handler);
      return () => void set.delete(handler);
    },
    onReconnect(handler) {
      reconnectHandlers.push(handler);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
