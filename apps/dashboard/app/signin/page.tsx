import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentUser } from "@/lib/auth";
import { oidcSettings } from "@/lib/auth-config";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

/** Only same-origin paths are followed after sign-in (no open redirect). */
function safeCallback(raw: string | string[] | undefined): string {
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  let oidcName: string | null = null;
  let configError: string | null = null;
  try {
    oidcName = oidcSettings()?.name ?? null;
  } catch (err) {
    configError = err instanceof Error ? err.message : String(err);
  }
  const error = typeof params.error === "string" ? params.error : null;
  return (
    <div className="mx-auto mt-12 max-w-sm">
      <h1 className="text-xl font-semibold text-slate-900">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">Actions you take are recorded in the audit log under your name.</p>
      <SignInForm callbackUrl={callbackUrl} oidcName={oidcName} initialError={configError ?? error} />
    </div>
  );
}
