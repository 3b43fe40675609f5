"use client";
import { useEffect, useState } from "react";
import { getOperatorName, setOperatorName } from "@/lib/operator";

/**
 * Who is at the keyboard. Sent as `x-actor` with every request so audit events name a person; stored in this
 * browser only (the service has no login).
 */
export function OperatorControl() {
  const [name, setName] = useState("");
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  useEffect(() => {
    const sync = () => setName(getOperatorName());
    sync();
    window.addEventListener("bdi-operator", sync);
    window.addEventListener("storage", sync);
    return () => {
      window.removeEventListener("bdi-operator", sync);
      window.removeEventListener("storage", sync);
    };
  }, []);

  if (editing) {
    return (
      <form
        className="flex items-center gap-1.5"
        onSubmit={(e) => {
          e.preventDefault();
          setName(setOperatorName(draft));
          setEditing(false);
        }}
      >
        <label htmlFor="operator-name" className="sr-only">
          Operator name
        </label>
        <input
          id="operator-name"
          autoFocus
          value={draft}
          maxLength={64}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => e.key === "Escape" && setEditing(false)}
          placeholder="Your name"
          className="w-36 rounded-md border border-slate-300 px-2 py-1 text-sm"
          data-testid="operator-input"
        />
        <button type="submit" className="rounded-md bg-slate-900 px-2.5 py-1 text-xs font-medium text-white hover:bg-slate-700">
          Save
        </button>
      </form>
    );
  }
  return (
    <button
      type="button"
      onClick={() => {
        setDraft(name);
        setEditing(true);
      }}
      className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900"
      title="Your name is recorded in the audit log for actions you take"
      data-testid="operator-button"
    >
      {name ? (
        <>
          Operator: <span className="font-medium text-slate-900">{name}</span>
        </>
      ) : (
        <span className="text-amber-700">Set operator name</span>
      )}
    </button>
  );
}
