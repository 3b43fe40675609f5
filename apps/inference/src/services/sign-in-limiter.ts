// Sign-in rate limit, in memory (one service process owns the sign-in; a restart forgets, which only shortens a
// lock-out). Per user name: 5 failures within 15 min lock that name for 15 min; per client address: 20 failures
// within 15 min lock the address. A success clears the name's failures (not the address's).
const WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_NAME = 5;
export const MAX_FAILURES_PER_IP = 20;

type Entry = { failures: number[]; lockedUntil: number };

export class SignInLimiter {
  private byName = new Map<string, Entry>();
  private byIp = new Map<string, Entry>();
  constructor(private now: () => number = Date.now) {}

  /** Seconds the name or address is still locked (0 = may try). */
  blockedFor(name: string, ip: string): number {
    const t = this.now();
    const until = Math.max(this.byName.get(name.toLowerCase())?.lockedUntil ?? 0, this.byIp.get(ip)?.lockedUntil ?? 0);
    return until > t ? Math.ceil((until - t) / 1000) : 0;
  }

  fail(name: string, ip: string): void {
    this.record(this.byName, name.toLowerCase(), MAX_FAILURES_PER_NAME);
    this.record(this.byIp, ip, MAX_FAILURES_PER_IP);
  }

  succeed(name: string): void {
    this.byName.delete(name.toLowerCase());
  }

  private record(map: Map<string, Entry>, key: string, max: number): void {
    const t = this.now();
    const e = map.get(key) ?? { failures: [], lockedUntil: 0 };
    e.failures = e.failures.filter((f) => f > t - WINDOW_MS);
    e.failures.push(t);
    if (e.failures.length >= max) {
      e.lockedUntil = t + WINDOW_MS;
      e.failures = [];
    }
    map.set(key, e);
    // Bound the memory a flood of names could take: drop the oldest keys.
    if (map.size > 10_000) map.delete(map.keys().next().value!);
  }
}
