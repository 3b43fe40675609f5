import type { Metadata } from "next";
import { Suspense } from "react";
import { ShiftReportView } from "@/components/report/shift-report-view";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Shift report" };

export default function ReportPage() {
  return (
    <>
      <PageHeader
        title="Shift report"
        description="One ROI over one shift or day: inspections and the NG rate, what the reviewers decided, and every change of the threshold in force. Print it or save it as PDF to hand over."
      />
      <Suspense>
        <ShiftReportView />
      </Suspense>
    </>
  );
}
