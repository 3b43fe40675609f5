import type { Metadata } from "next";
import { AuditView } from "@/components/audit/audit-view";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Audit" };

export default function AuditPage() {
  return (
    <>
      <PageHeader title="Audit" description="Who changed which sample, model, threshold or review, when, and why. Filter it, and export the same selection as CSV." />
      <AuditView />
    </>
  );
}
