// What the three calibration procedures share: the version's active calibration and its labelled scores.
import { listCalibrations, type Calibration, type ModelVersion } from "@bdi/db";
import { legacyThreshold } from "@bdi/core/calibration/legacyRule";
import type { TrpcContext } from "../../trpc.ts";
import { services } from "../../helpers.ts";
import { labelledScores, type LabelledScores } from "../../../services/dashboard-scores.ts";

export async function activeCalibrationOf(ctx: TrpcContext, version: ModelVersion): Promise<Calibration | null> {
  const cals = await listCalibrations(ctx.svc.db.prisma, { modelVersionId: version.id });
  return cals.find((c) => c.active) ?? null;
}

export async function scoresOf(ctx: TrpcContext, version: ModelVersion): Promise<LabelledScores> {
  return labelledScores(services(ctx), version);
}

export function split(scores: LabelledScores) {
  const ok = scores.items.filter((i) => i.label === "ok").map((i) => i.score);
  const ng = scores.items.filter((i) => i.label === "ng").map((i) => i.score);
  return { ok, ng };
}

/** The legacy rule on these scores (null without OK scores). */
export function ruleOf(scores: LabelledScores) {
  const { ok, ng } = split(scores);
  if (ok.length === 0) return null;
  const t = legacyThreshold({ okScores: ok, ngScores: ng, percentile: scores.percentile });
  return { threshold: t.threshold, rule: t.rule, pOk: t.pOk, pNg: t.pNg, nOk: t.nOk, nNg: t.nNg };
}
