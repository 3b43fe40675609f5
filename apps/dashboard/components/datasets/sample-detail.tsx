"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Badge, LabelBadge } from "@/components/ui/badge";
import { Button, inputClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { MutationError } from "@/components/ui/mutation-error";
import { QueryState } from "@/components/ui/query-state";
import { Skeleton } from "@/components/ui/skeleton";
import { useAssetUrl } from "@/lib/assets";
import { formatDateTime } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { RegionEditor } from "./region-editor";

/** One sample: the full image with its NG regions, label, note, soft delete / restore and the versions it trained. */
export function SampleDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const asset = useAssetUrl();
  const q = useQuery(trpc.samples.get.queryOptions({ id }));
  const refresh = () => qc.invalidateQueries();
  const relabel = useMutation(trpc.samples.relabel.mutationOptions({ onSuccess: refresh }));
  const del = useMutation(trpc.samples.delete.mutationOptions({ onSuccess: refresh }));
  const restore = useMutation(trpc.samples.restore.mutationOptions({ onSuccess: refresh }));
  const note = useMutation(trpc.samples.setNote.mutationOptions({ onSuccess: refresh }));
  const regions = useMutation(trpc.samples.setNgRegions.mutationOptions({ onSuccess: refresh }));
  const [noteText, setNoteText] = useState("");
  useEffect(() => setNoteText(q.data?.note ?? ""), [q.data?.id, q.data?.note]);
  const error = relabel.error ?? del.error ?? restore.error ?? note.error ?? regions.error;
  const busy = relabel.isPending || del.isPending || restore.isPending;

  return (
    <Card data-testid="sample-detail">
      <CardHeader
        title={q.data ? <span className="font-mono">{q.data.originalFileName ?? q.data.fileName}</span> : "Sample"}
        actions={
          <Button size="sm" variant="ghost" onClick={onClose} aria-label="Close the sample">
            Close
          </Button>
        }
      />
      <CardBody className="space-y-4">
        <QueryState query={q} loading={<Skeleton className="aspect-[5/2] w-full" />} errorTitle="Could not load this sample">
          {(s) => (
            <>
              <div className="flex flex-wrap items-center gap-2">
                <span data-testid="sample-label">
                  <LabelBadge label={s.label} />
                </span>
                {s.deletedAt && <Badge tone="warn">deleted {formatDateTime(s.deletedAt)}</Badge>}
                <Badge>{s.source}</Badge>
                <span className="text-xs text-slate-500">
                  {s.width}×{s.height} px{s.mmPerPx ? ` · ${s.mmPerPx} mm/px` : ""} · {formatDateTime(s.createdAt)}
                </span>
              </div>
              {s.label === "ng" ? (
                <div>
                  <h3 className="mb-1 text-sm font-semibold text-slate-900">NG regions (ground truth)</h3>
                  <RegionEditor
                    src={asset(s.imageUrl)!}
                    width={s.width}
                    height={s.height}
                    initial={s.ngRegions ?? []}
                    mmPerPx={s.mmPerPx}
                    editable={!s.deletedAt}
                    saving={regions.isPending}
                    onSave={(r) => regions.mutate({ id: s.id, regions: r.length ? r : null })}
                  />
                  {regions.isSuccess && !regions.isPending && (
                    <p className="mt-1 text-xs text-emerald-700" role="status" data-testid="regions-saved">
                      Saved {regions.data.ngRegions?.length ?? 0} region(s).
                    </p>
                  )}
                </div>
              ) : (
                <>
                  <div className="relative w-full overflow-hidden rounded-lg border border-slate-200 bg-slate-900" style={{ aspectRatio: `${s.width} / ${s.height}` }}>
                    <img src={asset(s.imageUrl)!} alt={s.fileName} className="absolute inset-0 size-full object-contain" />
                  </div>
                  <p className="text-xs text-slate-500">Relabel it NG to draw its defect regions.</p>
                </>
              )}
              <div className="flex flex-wrap items-center gap-2">
                <span className="text-sm font-medium text-slate-700">Label</span>
                {(["ok", "ng", "unlabeled"] as const).map((l) => (
                  <Button
                    key={l}
                    size="sm"
                    variant={s.label === l ? "primary" : "secondary"}
                    // The current label stays fully drawn (not a faded disabled button): it must look selected.
                    aria-pressed={s.label === l}
                    disabled={busy || !!s.deletedAt}
                    onClick={() => s.label !== l && relabel.mutate({ id: s.id, label: l })}
                    data-testid={`relabel-${l}`}
                  >
                    {s.label === l ? "✓ " : ""}
                    {l === "unlabeled" ? "Unlabeled" : l.toUpperCase()}
                  </Button>
                ))}
                <span className="grow" />
                {s.deletedAt ? (
                  <Button size="sm" onClick={() => restore.mutate({ id: s.id })} disabled={busy} data-testid="sample-restore">
                    Restore
                  </Button>
                ) : (
                  <Button size="sm" variant="ng" onClick={() => del.mutate({ id: s.id })} disabled={busy} data-testid="sample-delete">
                    Delete
                  </Button>
                )}
              </div>
              <form
                className="space-y-1"
                onSubmit={(e) => {
                  e.preventDefault();
                  note.mutate({ id: s.id, note: noteText.trim() ? noteText : null });
                }}
              >
                <label className="block text-sm font-medium text-slate-700" htmlFor="sample-note">
                  Note
                </label>
                <textarea id="sample-note" className={`${inputClass} w-full`} rows={2} maxLength={2000} value={noteText} onChange={(e) => setNoteText(e.target.value)} data-testid="sample-note" />
                <div className="flex items-center gap-2">
                  <Button size="sm" type="submit" disabled={note.isPending || noteText === (s.note ?? "")} data-testid="sample-note-save">
                    Save note
                  </Button>
                  {note.isSuccess && noteText === (s.note ?? "") && <span className="text-xs text-emerald-700">Saved</span>}
                </div>
              </form>
              <MutationError
                error={error}
                onDismiss={() => [relabel, del, restore, note, regions].forEach((m) => m.reset())}
              />
              <p className="text-xs text-slate-500">
                {s.trainedVersions.length === 0
                  ? "Not used by any model version yet."
                  : `Trained ${s.trainedVersions.map((v) => `v${v.versionNumber}`).join(", ")} (kept in their lineage even if deleted here).`}
                {s.inspectionId && " Added from an inspection."}
              </p>
            </>
          )}
        </QueryState>
      </CardBody>
    </Card>
  );
}
