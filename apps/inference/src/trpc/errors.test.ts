// The one error mapping: typed service / db / engine / core errors → tRPC codes with their messages.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TRPCError } from "@trpc/server";
import { ConflictError, MmPerPxConflictError, NotFoundError, ValidationError as DbValidationError } from "@bdi/db/errors";
import { InvalidInputError, ShapeError } from "@bdi/core/errors";
import { BackboneUnavailableError, BadImageError, BankInvalidError, ImageTooLargeError } from "../engine/errors.ts";
import { ServiceError } from "../services/errors.ts";
import { toTrpcError } from "./errors.ts";

describe("toTrpcError", () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ["service bad_request", new ServiceError("bad_request", "label must be 'ok' or 'ng'"), "BAD_REQUEST", /label must be/],
    ["service invalid_image", new ServiceError("invalid_image", "images[1] could not be decoded"), "BAD_REQUEST", /could not be decoded/],
    ["service not_found", new ServiceError("not_found", "file not found"), "NOT_FOUND", /file not found/],
    ["service conflict", new ServiceError("conflict", "already added"), "CONFLICT", /already added/],
    ["service not_fitted (dashboard wording)", new ServiceError("not_fitted", "Memoria no encontrada. Ejecuta /fit_ok antes de /infer."), "PRECONDITION_FAILED", /no fitted model yet/],
    ["service calibration_missing", new ServiceError("calibration_missing", "calibration_missing"), "PRECONDITION_FAILED", /no calibration/],
    ["service insufficient_ok_samples", new ServiceError("insufficient_ok_samples", "Insufficient OK samples: need at least 10, found 3"), "PRECONDITION_FAILED", /need at least 10/],
    ["service not_ready", new ServiceError("not_ready", "The backbone is still loading"), "SERVICE_UNAVAILABLE", /still loading/],
    ["service payload_too_large", new ServiceError("payload_too_large", "over the limit"), "PAYLOAD_TOO_LARGE", /over the limit/],
    ["service mm_per_px_mismatch", new ServiceError("mm_per_px_mismatch", "mm_per_px mismatch"), "CONFLICT", /mismatch/],
    ["db NotFoundError", new NotFoundError("Sample", "abc"), "NOT_FOUND", /Sample not found: abc/],
    ["db ConflictError", new ConflictError("sample abc is deleted; restore it first"), "CONFLICT", /restore it first/],
    ["db MmPerPxConflictError", new MmPerPxConflictError("r1", 0.2, 0.3), "CONFLICT", /expected 0.2, got 0.3/],
    ["db ValidationError", new DbValidationError("invalid label 'x'"), "BAD_REQUEST", /invalid label/],
    ["engine bad image", new BadImageError("not an image"), "BAD_REQUEST", /not an image/],
    ["engine image too large", new ImageTooLargeError("too many pixels"), "PAYLOAD_TOO_LARGE", /too many pixels/],
    ["engine bank invalid", new BankInvalidError("bank.f32 truncated"), "PRECONDITION_FAILED", /truncated/],
    ["engine backbone unavailable", new BackboneUnavailableError("no backbone"), "SERVICE_UNAVAILABLE", /no backbone/],
    ["core ShapeError", new ShapeError("shape has zero area"), "BAD_REQUEST", /zero area/],
    ["core InvalidInputError", new InvalidInputError("NaN threshold"), "BAD_REQUEST", /NaN/],
    ["prisma P2025", Object.assign(new Error("Record to update not found."), { code: "P2025" }), "NOT_FOUND", /not found/],
  ];
  for (const [name, err, code, re] of cases) {
    it(`${name} → ${code}`, () => {
      const e = toTrpcError(err);
      assert.equal(e.code, code);
      assert.match(e.message, re);
      assert.equal(e.cause, err, "the original error is kept as the cause");
    });
  }

  it("unknown errors become INTERNAL_SERVER_ERROR without leaking their message", () => {
    const e = toTrpcError(new Error("ENOENT: /secret/data/root/file.png"));
    assert.equal(e.code, "INTERNAL_SERVER_ERROR");
    assert.equal(e.message, "Internal error");
  });

  it("a TRPCError passes through; one wrapping a typed error is mapped by its cause", () => {
    const own = new TRPCError({ code: "PRECONDITION_FAILED", message: "draw regions on NG samples" });
    assert.equal(toTrpcError(own), own);
    const wrapped = new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new NotFoundError("Roi", "x") });
    assert.equal(toTrpcError(wrapped).code, "NOT_FOUND");
  });
});
