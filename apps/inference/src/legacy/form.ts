// Reading legacy requests: multipart as .NET's MultipartFormDataContent sends it (§2.1), urlencoded forms,
// query strings and JSON bodies, with FastAPI's coercion rules ("true"/"false", invariant numbers) and its
// 422 body (shape D) for a missing or unparsable field.
import type { FastifyRequest } from "fastify";
import { ServiceError, ValidationError, type FieldIssue } from "../services/errors.ts";

export type UploadedFile = { field: string; filename: string; mimetype: string; data: Buffer };
export type FormData = { fields: Map<string, string[]>; files: UploadedFile[] };

function addField(fields: Map<string, string[]>, name: string, value: string) {
  const list = fields.get(name);
  if (list) list.push(value);
  else fields.set(name, [value]);
}

type MultipartError = Error & { code?: string; statusCode?: number };

/**
 * Reads a whole multipart request into memory (bounded by the multipart limits of app.ts).
 * busboy already accepts a quoted boundary, unquoted part names and `filename*=`; a part typed
 * `application/json` (the client's `metas`) is parsed by @fastify/multipart, so it is turned back into text here.
 * Non-multipart bodies (urlencoded, JSON object, none) are read as fields too, as FastAPI's Form() does.
 */
export async function readForm(req: FastifyRequest): Promise<FormData> {
  const fields = new Map<string, string[]>();
  const files: UploadedFile[] = [];
  if (req.isMultipart()) {
    try {
      for await (const part of req.parts()) {
        if (part.type === "file") {
          const data = await part.toBuffer();
          // A part with a filename but no bytes and no name is what browsers send for an empty <input type=file>.
          if (data.length === 0 && !part.filename) continue;
          files.push({ field: part.fieldname, filename: part.filename ?? "", mimetype: part.mimetype, data });
        } else {
          const v = part.value;
          addField(fields, part.fieldname, typeof v === "string" ? v : JSON.stringify(v));
        }
      }
    } catch (err) {
      throw mapMultipartError(err as MultipartError);
    }
    return { fields, files };
  }
  const body = req.body;
  if (body && typeof body === "object" && !Buffer.isBuffer(body)) {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (item === null || item === undefined) continue;
        addField(fields, k, typeof item === "string" ? item : JSON.stringify(item));
      }
    }
  }
  return { fields, files };
}

function mapMultipartError(err: MultipartError): Error {
  const code = err.code ?? "";
  if (code === "FST_REQ_FILE_TOO_LARGE" || code === "FST_PARTS_LIMIT" || code === "FST_FILES_LIMIT" || code === "FST_FIELDS_LIMIT")
    return new ServiceError("payload_too_large", `Upload too large: ${err.message}`);
  if (code === "FST_INVALID_JSON_FIELD_ERROR")
    return new ServiceError("bad_request", "A form part declared as application/json (e.g. metas) is not valid JSON");
  if (code === "FST_PROTO_VIOLATION") return new ServiceError("bad_request", err.message);
  if (/boundary|multipart|unexpected end/i.test(err.message)) return new ServiceError("bad_request", `Malformed multipart body: ${err.message}`);
  return err;
}

/** A form whose role_id and roi_id (required) are read first; the caller reads the rest and calls `f.done()`. */
export async function readRoiForm(req: FastifyRequest): Promise<{ form: FormData; f: FieldReader; roleId: string; roiId: string }> {
  const form = await readForm(req);
  const f = FieldReader.fromForm(form);
  return { form, f, roleId: f.str("role_id", true), roiId: f.str("roi_id", true) };
}

/** FastAPI-style coercion of the text values of a form, query string or JSON object. */
export class FieldReader {
  readonly issues: FieldIssue[] = [];
  constructor(
    private readonly values: Map<string, unknown[]>,
    private readonly loc: "body" | "query",
  ) {}

  static fromForm(form: FormData): FieldReader {
    return new FieldReader(new Map([...form.fields].map(([k, v]) => [k, v as unknown[]])), "body");
  }
  static fromQuery(query: unknown): FieldReader {
    const m = new Map<string, unknown[]>();
    if (query && typeof query === "object")
      for (const [k, v] of Object.entries(query as Record<string, unknown>)) m.set(k, Array.isArray(v) ? v : [v]);
    return new FieldReader(m, "query");
  }
  static fromJson(body: Record<string, unknown>): FieldReader {
    return new FieldReader(new Map(Object.entries(body).map(([k, v]) => [k, [v]])), "body");
  }

  /** single-valued fields sent more than once: ambiguous (which one wins?), refused by done() */
  private readonly repeated = new Map<string, number>();

  private raw(name: string): unknown {
    const v = this.values.get(name);
    if (v && v.length > 1) this.repeated.set(name, v.length);
    return v && v.length ? v[v.length - 1] : undefined;
  }
  has(name: string): boolean {
    const v = this.raw(name);
    return v !== undefined && v !== null;
  }
  private missing(name: string) {
    this.issues.push({ type: "missing", loc: [this.loc, name], msg: "Field required", input: null });
  }

  str(name: string, required: true): string;
  str(name: string, required?: false): string | undefined;
  str(name: string, required = false): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) {
      if (required) this.missing(name);
      return undefined;
    }
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") {
      // FastAPI (pydantic v2) rejects a JSON number for a str field.
      this.issues.push({ type: "string_type", loc: [this.loc, name], msg: "Input should be a valid string", input: v });
      return undefined;
    }
    this.issues.push({ type: "string_type", loc: [this.loc, name], msg: "Input should be a valid string", input: v });
    return undefined;
  }

  strList(name: string): string[] {
    const v = this.values.get(name) ?? [];
    return v.filter((x) => x !== null && x !== undefined).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  }

  num(name: string, required: true): number;
  num(name: string, required?: false): number | undefined;
  num(name: string, required = false): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null || v === "") {
      if (v === "" && required) {
        this.issues.push({ type: "float_parsing", loc: [this.loc, name], msg: "Input should be a valid number, unable to parse string as a number", input: v });
        return undefined;
      }
      if (required) this.missing(name);
      return undefined;
    }
    const n = parseNumber(v);
    if (n === undefined) {
      this.issues.push({ type: "float_parsing", loc: [this.loc, name], msg: "Input should be a valid number, unable to parse string as a number", input: v });
      return undefined;
    }
    return n;
  }

  /** pydantic's int: integral numbers only (0.995 is rejected, "99" accepted). */
  int(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    const n = parseNumber(v);
    if (n === undefined || !Number.isInteger(n)) {
      this.issues.push({ type: "int_parsing", loc: [this.loc, name], msg: "Input should be a valid integer", input: v });
      return undefined;
    }
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null || v === "") return undefined;
    const b = parseBool(v);
    if (b === undefined) {
      this.issues.push({ type: "bool_parsing", loc: [this.loc, name], msg: "Input should be a valid boolean, unable to interpret input", input: v });
    }
    return b;
  }

  /** Throws a 400 naming a field sent more than once, else the 422 (shape D) if any field was missing or unparsable. */
  done(): void {
    const [name, n] = [...this.repeated][0] ?? [];
    if (name) throw new ServiceError("bad_request", `field '${name}' was sent ${n} times; send it once`, { field: name });
    if (this.issues.length) throw new ValidationError(this.issues);
  }
}

/** Invariant-culture number: "0.2", "1e-3", " 0.25 ", also "nan"/"inf" like Python's float() (rejected later). */
export function parseNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  return undefined;
}

/** pydantic's lax bool: true/false, 1/0, yes/no, on/off, t/f, y/n (any case). */
export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim().toLowerCase();
  if (["true", "1", "yes", "on", "t", "y"].includes(s)) return true;
  if (["false", "0", "no", "off", "f", "n"].includes(s)) return false;
  return undefined;
}
