import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

export default function NotFound() {
  return (
    <EmptyState
      title="Page not found"
      description="This address does not exist in the dashboard."
      action={
        <Link href="/" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
          Go to Overview
        </Link>
      }
      testId="not-found"
    />
  );
}
