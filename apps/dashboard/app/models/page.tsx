import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { PlannedFeatures } from "@/components/planned-features";

export const metadata: Metadata = { title: "Models" };

export default function ModelsPage() {
  return (
    <>
      <PageHeader title="Models" description="Model versions per ROI with their lineage and calibrations; activate or roll back." />
      <EmptyState
        title="Model history is coming with issue #5"
        description="Model versions are not listed over tRPC yet."
        requires={["models.list", "models.get", "models.calibrations", "models.activate", "models.compare"]}
      />
      <PlannedFeatures
        items={[
          "Versions per ROI with lineage: training samples, backbone, coreset, timings",
          "Calibrations of each version",
          "Activate / roll back with a reason (audited)",
          "Compare two versions' scores on the same labelled set",
        ]}
      />
    </>
  );
}
