import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { PlannedFeatures } from "@/components/planned-features";

export const metadata: Metadata = { title: "Datasets" };

export default function DatasetsPage() {
  return (
    <>
      <PageHeader title="Datasets" description="Curate each ROI's OK and NG samples: upload, relabel, annotate defects, delete and restore." />
      <EmptyState
        title="Dataset curation is coming with issue #5"
        description="Nothing is listed here until the service exposes samples over tRPC. Samples uploaded through the legacy client will appear here then."
        requires={["rois.list", "samples.list", "samples.upload", "samples.relabel", "samples.delete", "samples.restore", "samples.setNote", "samples.setNgRegions", "samples.bulk"]}
      />
      <PlannedFeatures
        items={[
          "Thumbnail grid per ROI with filters by label, source and date; paginated, no layout shift",
          "Drag-and-drop multi-upload as OK or NG",
          "Relabel OK ↔ NG, notes, soft delete and restore, bulk actions on a selection",
          "Draw NG regions (rectangles, polygons) used as ground truth in evaluations",
        ]}
      />
    </>
  );
}
