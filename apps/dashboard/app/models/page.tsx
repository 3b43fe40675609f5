import type { Metadata } from "next";
import { Suspense } from "react";
import { ModelsView } from "@/components/models/models-view";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Models" };

export default function ModelsPage() {
  return (
    <>
      <PageHeader
        title="Models"
        description="Every model version per ROI with its lineage (samples, backbone, coreset, timings) and calibrations; activate or roll back with a reason; compare two versions on the same labelled set."
      />
      <Suspense>
        <ModelsView />
      </Suspense>
    </>
  );
}
