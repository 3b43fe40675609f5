"use client";
import { ReasonSchema } from "@bdi/core/dashboard/common";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

/**
 * Confirmation for audited actions (save a threshold, activate or roll back a version): the operator must give a
 * reason, which the service stores in the audit event. The reason is checked with the same zod schema the service
 * uses (`ReasonSchema` from @bdi/core). `onConfirm` may throw/reject: its message is shown and the dialog stays
 * open. Native <dialog>, so focus trapping and Escape come from the browser.
 */
export function ReasonDialog({
  open,
  title,
  children,
  confirmLabel = "Confirm",
  danger = false,
  onConfirm,
  onClose,
  testId = "reason-dialog",
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  onConfirm: (reason: string) => Promise<void> | void;
  onClose: () => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setReason("");
      setError(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const parsed = ReasonSchema.safeParse(reason);
  const valid = parsed.success;
  const trimmed = parsed.success ? parsed.data : "";
  const hint = reason.trim() && !parsed.success ? parsed.error.issues[0]?.message : null;

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      className="m-auto w-full max-w-md rounded-xl border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40"
      data-testid={testId}
    >
      <form
        method="dialog"
        className="space-y-4 p-5"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!valid || busy) return;
          setBusy(true);
          setError(null);
          try {
            await onConfirm(trimmed);
            onClose();
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2 className="text-base font-semibold text-slate-900">{title}</h2>
        {children && <div className="text-sm text-slate-600">{children}</div>}
        <div>
          <label htmlFor={id} className="block text-sm font-medium text-slate-700">
            Reason <span className="font-normal text-slate-500">(recorded in the audit log)</span>
          </label>
          <textarea
            id={id}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={3}
            required
            maxLength={500}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
            data-testid="reason-input"
          />
          {hint && <p className="mt-1 text-xs text-slate-500">{hint}</p>}
        </div>
        {error && (
          <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800" data-testid="reason-error">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={onClose} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
            Cancel
          </button>
          <button
            type="submit"
            disabled={!valid || busy}
            className={`rounded-md px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 ${danger ? "bg-rose-600 hover:bg-rose-700" : "bg-slate-900 hover:bg-slate-700"}`}
            data-testid="reason-confirm"
          >
            {busy ? "Saving…" : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
