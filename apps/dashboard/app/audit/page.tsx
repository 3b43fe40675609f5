import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { PlannedFeatures } from "@/components/planned-features";

export const metadata: Metadata = { title: "Audit" };

export default function AuditPage() {
  return (
    <>
      <PageHeader title="Audit" description="Who changed which model, threshold or sample, when, and why." />
      <EmptyState
        title="The audit log is coming with issue #5"
        description="Audit events are not listed over tRPC yet. The CSV export will download from the service (GET /api/audit.csv) with the same filters."
        requires={["audit.list"]}
      />
      <PlannedFeatures items={["Filters by actor, action, entity and time", "Before / after of each change", "CSV export"]} />
    </>
  );
}
