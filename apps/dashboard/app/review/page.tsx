import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { PlannedFeatures } from "@/components/planned-features";

export const metadata: Metadata = { title: "Review" };

export default function ReviewPage() {
  return (
    <>
      <PageHeader title="Review" description="Inspections from the line and test uploads, newest first, with heatmap overlays and review actions." />
      <EmptyState
        title="The review queue is coming with issue #5"
        description="Inspections are not listed over tRPC yet."
        requires={["inspections.list", "inspections.get", "inspections.review", "inspections.addToDataset", "inspections.testUpload"]}
      />
      <PlannedFeatures
        items={[
          "Filters by decision, ROI and score; newest first, paginated",
          "Detail view: crop with heatmap overlay (opacity slider, toggle), regions with mm², score against threshold",
          "Confirm NG, mark false positive, add to the dataset as OK or NG",
          "Keyboard: j / k next / previous, o / n OK / NG",
        ]}
      />
    </>
  );
}
