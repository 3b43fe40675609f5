"use client";
import { useState } from "react";
import { signIn } from "next-auth/react";
import { signInErrorMessage } from "@/lib/sign-in-errors";

/** User name + password (checked by the service), and the plant's single sign-on when configured. */
export function SignInForm({ callbackUrl, oidcName, initialError }: { callbackUrl: string; oidcName: string | null; initialError: string | null }) {
  const [error, setError] = useState<string | null>(initialError ? signInErrorMessage(initialError) : null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="mt-6 space-y-4">
      <form
        className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
        data-testid="sign-in-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          setBusy(true);
          setError(null);
          const r = await signIn("credentials", { username: String(form.get("username") ?? ""), password: String(form.get("password") ?? ""), redirect: false });
          if (r?.ok && !r.error) {
            // A full navigation, so the server renders the header with the new session.
            window.location.assign(callbackUrl);
            return;
          }
          setBusy(false);
          setError(signInErrorMessage(r?.error ?? "sign-in failed"));
        }}
      >
        <label className="block text-sm">
          <span className="font-medium text-slate-700">User name</span>
          <input name="username" autoComplete="username" required autoFocus className="mt-1 w-full rounded-md border border-slate-300 px-2.5 py-1.5" data-testid="sign-in-username" />
        </label>
        <label className="block text-sm">
          <span className="font-medium text-slate-700">Password</span>
          <input name="password" type="password" autoComplete="current-password" required className="mt-1 w-full rounded-md border border-slate-300 px-2.5 py-1.5" data-testid="sign-in-password" />
        </label>
        {error ? (
          <p role="alert" className="rounded-md bg-rose-50 px-2.5 py-1.5 text-sm text-rose-800" data-testid="sign-in-error">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy} className="w-full rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60" data-testid="sign-in-submit">
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidcName ? (
        <button
          type="button"
          onClick={() => void signIn("oidc", { callbackUrl })}
          className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50"
          data-testid="sign-in-oidc"
        >
          Sign in with {oidcName}
        </button>
      ) : null}
      <p className="text-xs text-slate-500">
        No account yet? An administrator creates one on the server with <code>npm run users -- add NAME --role ROLE</code>.
      </p>
    </div>
  );
}
