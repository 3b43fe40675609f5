import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { ServiceIndicator } from "@/components/health/service-indicator";
import { MainNav } from "@/components/nav";
import { UserMenu } from "@/components/user-menu";
import { ErrorBanner } from "@/components/ui/error-banner";
import { resolveInferenceUrl } from "@/lib/service-url";
import { currentUser } from "@/lib/auth";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "BrakeDiscInspector", template: "%s · BrakeDiscInspector" },
  description: "QA dashboard for brake-disc visual inspection",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request so BDI_INFERENCE_URL / BDI_PORT are read when the dashboard runs, not when it was built.
  await connection();
  let inferenceUrl = "";
  let configError: string | null = null;
  try {
    inferenceUrl = resolveInferenceUrl(process.env);
  } catch (err) {
    configError = err instanceof Error ? err.message : String(err);
  }
  // The signed-in user (null on the sign-in page: no navigation, no service calls there).
  const user = configError ? null : await currentUser();
  if (configError) {
    return (
      <html lang="en">
        <body className="min-h-screen font-sans">
          <main className="mx-auto max-w-3xl px-4 py-16">
            <ErrorBanner title="The dashboard is misconfigured" testId="config-error">
              <p>{configError}</p>
              <p className="mt-1">Fix the environment of the dashboard process and restart it.</p>
            </ErrorBanner>
          </main>
        </body>
      </html>
    );
  }
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <Providers inferenceUrl={inferenceUrl} user={user ? { username: user.username, role: user.role, displayName: user.displayName } : null}>
          <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/95 backdrop-blur">
            <div className="mx-auto max-w-7xl px-4 sm:px-6">
              <div className="flex h-14 items-center justify-between gap-4">
                <Link href="/" className="flex items-center gap-2.5" data-testid="brand">
                  <Logo />
                  <span className="text-sm font-semibold tracking-tight text-slate-900">
                    BrakeDisc<span className="text-brand-600">Inspector</span>
                  </span>
                </Link>
                {user ? (
                  <div className="flex items-center gap-3">
                    <UserMenu />
                    <ServiceIndicator />
                  </div>
                ) : null}
              </div>
              {user ? <MainNav /> : null}
            </div>
          </header>
          <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>
        </Providers>
      </body>
    </html>
  );
}

function Logo() {
  return (
    <svg aria-hidden viewBox="0 0 32 32" className="size-7">
      <circle cx="16" cy="16" r="14" className="fill-slate-900" />
      <circle cx="16" cy="16" r="9" fill="none" className="stroke-brand-500" strokeWidth="3" />
      <circle cx="16" cy="16" r="3.5" className="fill-white" />
      <circle cx="22.5" cy="10" r="1.6" className="fill-rose-400" />
    </svg>
  );
}
