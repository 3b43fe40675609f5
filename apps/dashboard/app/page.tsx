import type { Metadata } from "next";
import { HealthPanel } from "@/components/health/health-panel";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
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
        <Card data-testid="stations">
          <CardHeader title="Recipes, roles and ROIs" description="OK/NG sample counts, active model version, calibration and NG rate today per ROI." />
          <CardBody>
            <EmptyState
              title="ROI overview is not available yet"
              description="The service does not list recipes and ROIs over tRPC yet. ROIs appear here once they are created by the legacy client or the dashboard (issue #5)."
              requires={["overview"]}
            />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
