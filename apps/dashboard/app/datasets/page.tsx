import type { Metadata } from "next";
import { Suspense } from "react";
import { DatasetsView } from "@/components/datasets/datasets-view";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Datasets" };

export default function DatasetsPage() {
  return (
    <>
      <PageHeader title="Datasets" description="Curate each ROI's OK and NG samples: upload, relabel, annotate defects, add notes, delete and restore." />
      <Suspense>
        <DatasetsView />
      </Suspense>
    </>
  );
}
