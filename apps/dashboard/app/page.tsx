import type { Metadata } from "next";
import { HealthPanel } from "@/components/health/health-panel";
import { RoiOverview } from "@/components/overview/roi-overview";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <>
      <PageHeader
        title="Overview"
        description="The inference service's state and, per recipe, role and ROI: samples, active model version, threshold and today's results."
      />
      <div className="space-y-6">
        <HealthPanel />
        <RoiOverview />
      </div>
    </>
  );
}
