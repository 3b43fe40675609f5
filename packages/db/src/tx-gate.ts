// Keeps plain queries out of open transactions.
//
// @prisma/adapter-better-sqlite3 runs every query on ONE better-sqlite3 connection. While an interactive
// transaction is open (BEGIN sent, awaiting between its statements), a plain query from another request runs
// on that same connection, so it silently becomes part of the transaction and is lost if it rolls back
// (reproduced in client.test.ts). This wrapper makes plain queries wait until no transaction is open.
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from "@prisma/driver-adapter-utils";

// Each statement first yields to the event loop's I/O phase. A Prisma operation (query compilation + SQLite) is
// synchronous work on the service's only thread; chained statements (the end of a fit: version, calibration,
// activation) ran for ~50 ms without a break, and an HTTP request arriving meanwhile (the WPF client's /health
// poll) waited for all of them. With the yield it waits for one statement at most.
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

class Gate {
  #open = false;
  #waiters: (() => void)[] = [];

  async whenClosed(): Promise<void> {
    while (this.#open) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  async enter(): Promise<void> {
    await this.whenClosed();
    this.#open = true;
  }
  leave(): void {
    this.#open = false;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

function gateTransaction(tx: Transaction, gate: Gate): Transaction {
  let left = false;
  const leaveOnce = () => {
    if (!left) {
      left = true;
      gate.leave();
    }
  };
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: async (q: SqlQuery) => (await yieldToIo(), tx.queryRaw(q)),
    executeRaw: async (q: SqlQuery) => (await yieldToIo(), tx.executeRaw(q)),
    commit: () => tx.commit().finally(leaveOnce),
    rollback: () => tx.rollback().finally(leaveOnce),
    createSavepoint: tx.createSavepoint ? (n: string) => tx.createSavepoint!(n) : undefined,
    rollbackToSavepoint: tx.rollbackToSavepoint ? (n: string) => tx.rollbackToSavepoint!(n) : undefined,
    releaseSavepoint: tx.releaseSavepoint ? (n: string) => tx.releaseSavepoint!(n) : undefined,
  };
}

function gateAdapter(inner: SqlDriverAdapter): SqlDriverAdapter {
  const gate = new Gate();
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: async (q) => (await yieldToIo(), await gate.whenClosed(), inner.queryRaw(q)),
    executeRaw: async (q) => (await yieldToIo(), await gate.whenClosed(), inner.executeRaw(q)),
    executeScript: async (s) => (await gate.whenClosed(), inner.executeScript(s)),
    startTransaction: async (level) => {
      await gate.enter();
      try {
        return gateTransaction(await inner.startTransaction(level), gate);
      } catch (err) {
        gate.leave();
        throw err;
      }
    },
    getConnectionInfo: inner.getConnectionInfo ? () => inner.getConnectionInfo!() : undefined,
    dispose: () => inner.dispose(),
  };
}

/** Wraps a driver adapter factory so that plain queries never run inside another caller's transaction. */
export function withTransactionGate(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => gateAdapter(await factory.connect()),
  };
}
