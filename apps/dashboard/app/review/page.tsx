import type { Metadata } from "next";
import { Suspense } from "react";
import { ReviewView } from "@/components/review/review-view";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Review" };

export default function ReviewPage() {
  return (
    <>
      <PageHeader
        title="Review"
        description="Inspections newest first: check the crop and its heatmap, confirm NG or mark false positives, and feed crops back into the dataset. Keyboard: j/k to move, n/o to judge."
      />
      <Suspense>
        <ReviewView />
      </Suspense>
    </>
  );
}
