// Turns whatever a tRPC call threw into words for the operator. Unreachable service vs an error the service
// reported are told apart, because the fix is different (start/point at the service vs read its message).

export type DescribedError = {
  /** The service could not be reached at all (connection refused, DNS, CORS, not a tRPC endpoint). */
  unreachable: boolean;
  /** tRPC error code when the service answered with one (BAD_REQUEST, NOT_FOUND, …). */
  code: string | null;
  message: string;
};

type Shape = { message?: unknown; data?: { code?: unknown; serviceUnreachable?: unknown } | null; cause?: unknown; name?: unknown };

export function describeError(err: unknown): DescribedError {
  if (err == null) return { unreachable: false, code: null, message: "Unknown error" };
  const e = err as Shape;
  const message = typeof e.message === "string" && e.message ? e.message : String(err);
  // The dashboard's /svc proxy answered for a service that did not (502 with `data.serviceUnreachable`).
  if (e.data && e.data.serviceUnreachable === true) return { unreachable: true, code: null, message };
  const code = e.data && typeof e.data.code === "string" ? e.data.code : null;
  if (code) return { unreachable: false, code, message };
  // No tRPC error shape: the request never got a tRPC answer.
  const text = `${message} ${e.cause instanceof Error ? e.cause.message : ""}`;
  const network = /failed to fetch|fetch failed|networkerror|load failed|ECONNREFUSED|ENOTFOUND|network/i.test(text);
  const notTrpc = /unexpected token|not valid json|unexpected end of json/i.test(text);
  return {
    unreachable: network || notTrpc,
    code: null,
    message: network ? "The service did not answer (connection refused or blocked)." : notTrpc ? "The address answered, but not as a tRPC service." : message,
  };
}

/**
 * A service message for people: the decoder's own words ("…: vipspng: libpng read error") become a sentence; the
 * technical detail is returned apart (`detail`) for a tooltip. Other messages are kept as the service wrote them.
 */
export function plainMessage(message: string): { text: string; detail: string | null } {
  const decode = /^(.*) could not be decoded as an image \(([^)]*)\): (.+)$/s.exec(message);
  if (decode) {
    return {
      text: `${decode[1]} is not a readable image: it may be damaged, cut short, or not really ${decode[2].replace(/ expected$/, "")}. Nothing was stored; remove or replace that file and try again.`,
      detail: decode[3]!,
    };
  }
  return { text: message, detail: null };
}
