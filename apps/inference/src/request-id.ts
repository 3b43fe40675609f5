// The request id rule shared by the app and the edge: the WPF client correlates by X-Request-Id, so a sane one it sent
// is reused, anything else gets a fresh uuid4.
import { randomUUID } from "node:crypto";

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && REQUEST_ID_RE.test(v) ? v : randomUUID();
}
