// A free loopback port for the processes that tests, benches and eval tools start. Under testing/ (the one place in
// core allowed I/O, for test support) and not exported from the package index, which the browser shares.
import { createServer } from "node:net";

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picked it; a later bind may still race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("the OS gave no port"))));
    });
  });
}
