import type { Metadata } from "next";
import { Suspense } from "react";
import { FitView } from "@/components/fit/fit-view";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Fit & calibrate" };

export default function FitPage() {
  return (
    <>
      <PageHeader
        title="Fit & calibrate"
        description="Fit a model version from the OK samples with live progress, then choose its threshold on the labelled set: histograms, expected false-reject rate, and a slider that re-scores the set live."
      />
      <Suspense>
        <FitView />
      </Suspense>
    </>
  );
}
