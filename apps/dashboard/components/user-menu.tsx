"use client";
import { useState } from "react";
import { signOut } from "next-auth/react";
import { useSessionUser } from "@/lib/session-user";

/** Who is signed in (the name the audit log records) and the sign-out button. */
export function UserMenu() {
  const user = useSessionUser();
  const [busy, setBusy] = useState(false);
  if (!user) return null;
  return (
    <div className="flex items-center gap-2 text-sm" data-testid="user-menu">
      <span className="text-slate-600" title="Actions you take are recorded in the audit log under this name">
        <span className="font-medium text-slate-900" data-testid="user-name">
          {user.displayName ?? user.username}
        </span>{" "}
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600" data-testid="user-role">
          {user.role}
        </span>
      </span>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          await signOut({ redirect: false });
          window.location.assign("/signin");
        }}
        className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
        data-testid="sign-out"
      >
        Sign out
      </button>
    </div>
  );
}
