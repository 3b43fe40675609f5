import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { PlannedFeatures } from "@/components/planned-features";

export const metadata: Metadata = { title: "Fit & calibrate" };

export default function FitPage() {
  return (
    <>
      <PageHeader title="Fit & calibrate" description="Train a new model version from an ROI's OK samples, then set its OK/NG threshold." />
      <EmptyState
        title="Fitting and calibration are coming with issue #5"
        description="The service does not expose fit jobs or calibrations over tRPC yet."
        requires={["fit.start", "jobs.progress (subscription)", "jobs.list", "calibrations.data", "calibrations.rescore", "calibrations.save"]}
      />
      <PlannedFeatures
        items={[
          "Start a fit and follow it on a live progress bar streamed by the service (server-sent events, no polling)",
          "OK vs NG score histograms with the rule's threshold and the out-of-sample expected false-reject rate",
          "Threshold slider that re-scores the stored labelled set live: confusion matrix, ROC curve, samples that flip",
          "Saving a threshold is an audited action with a reason",
        ]}
      />
    </>
  );
}
