"use client";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState } from "react";
import { cn } from "@/lib/cn";
import { hrefWithRoi, rememberedRoi } from "@/lib/roi-link";

export const NAV_ITEMS = [
  { href: "/", label: "Overview" },
  { href: "/datasets", label: "Datasets" },
  { href: "/fit", label: "Fit & calibrate" },
  { href: "/review", label: "Review" },
  { href: "/models", label: "Models" },
  { href: "/report", label: "Shift report" },
  { href: "/audit", label: "Audit" },
] as const;

/** The main navigation; links to ROI pages carry the ROI of the current address (else the remembered one). */
export function MainNav() {
  return (
    <Suspense fallback={<NavLinks roiId={null} />}>
      <NavWithRoi />
    </Suspense>
  );
}

function NavWithRoi() {
  const fromUrl = useSearchParams().get("roi");
  // The remembered ROI is read after mount (localStorage does not exist on the server).
  const [remembered, setRemembered] = useState<string | null>(null);
  useEffect(() => setRemembered(rememberedRoi()), [fromUrl]);
  return <NavLinks roiId={fromUrl ?? remembered} />;
}

function NavLinks({ roiId }: { roiId: string | null }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="-mb-px flex gap-1 overflow-x-auto print:hidden" data-testid="main-nav">
      {NAV_ITEMS.map((item) => {
        const active = item.href === "/" ? pathname === "/" : pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <Link
            key={item.href}
            href={hrefWithRoi(item.href, roiId)}
            aria-current={active ? "page" : undefined}
            className={cn(
              "whitespace-nowrap border-b-2 px-3 py-3 text-sm font-medium transition-colors",
              active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900",
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
