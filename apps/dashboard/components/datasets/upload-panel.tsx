"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, inputClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DropZone } from "@/components/ui/drop-zone";
import { MutationError } from "@/components/ui/mutation-error";
import { Segmented } from "@/components/ui/segmented";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";

type Target = { kind: "roi"; roiId: string; label: string } | { kind: "new" };
type Uploaded = RouterOutputs["samples"]["upload"];

/**
 * Drag-and-drop multi-upload into the selected ROI, or into a new one (recipe + role + ROI name, created by the
 * upload). All or nothing on the service side: one bad image rejects the batch with its reason.
 */
export function UploadPanel({ target, onUploaded }: { target: Target; onUploaded: (r: Uploaded) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [label, setLabel] = useState<"ok" | "ng">("ok");
  const [recipeId, setRecipeId] = useState("");
  const [roleId, setRoleId] = useState("");
  const [roiName, setRoiName] = useState("");
  const [mmPerPx, setMmPerPx] = useState("");
  const [rejected, setRejected] = useState<string[]>([]);
  const [last, setLast] = useState<string | null>(null);
  const upload = useMutation(
    trpc.samples.upload.mutationOptions({
      onSuccess: async (r) => {
        setLast(`${r.samples.length} ${label.toUpperCase()} crop${r.samples.length === 1 ? "" : "s"} added to ${r.roi.recipeId} / ${r.roi.roleId} / ${r.roi.roiName}`);
        // Reload the lists first: a new ROI must be in the ROI list before the page switches to it.
        await qc.invalidateQueries();
        onUploaded(r);
      },
    }),
  );
  const newOk = target.kind === "roi" || (recipeId.trim() && roleId.trim() && roiName.trim());
  const send = (files: File[], bad: File[]) => {
    setRejected(bad.map((f) => f.name));
    setLast(null);
    if (files.length === 0 || !newOk) return;
    const fd = new FormData();
    if (target.kind === "roi") fd.set("roiId", target.roiId);
    else {
      fd.set("recipeId", recipeId.trim());
      fd.set("roleId", roleId.trim());
      fd.set("roiName", roiName.trim());
    }
    fd.set("label", label);
    if (mmPerPx.trim()) fd.set("mmPerPx", mmPerPx.trim());
    for (const f of files) fd.append("files", f, f.name);
    upload.mutate(fd);
  };
  return (
    <Card data-testid="upload-panel">
      <CardHeader
        title={target.kind === "roi" ? `Add crops to ${target.label}` : "New ROI: upload its first crops"}
        description="Drop several crops at once. They are validated together: if one is not a readable image, nothing is added."
      />
      <CardBody className="space-y-3">
        {target.kind === "new" && (
          <div className="grid gap-2 sm:grid-cols-3">
            <label className="text-sm">
              <span className="block text-xs font-medium text-slate-600">Recipe id</span>
              <input className={`${inputClass} w-full`} value={recipeId} onChange={(e) => setRecipeId(e.target.value)} placeholder="e.g. disc-a" data-testid="new-recipe" />
            </label>
            <label className="text-sm">
              <span className="block text-xs font-medium text-slate-600">Role</span>
              <input className={`${inputClass} w-full`} value={roleId} onChange={(e) => setRoleId(e.target.value)} placeholder="e.g. master" data-testid="new-role" />
            </label>
            <label className="text-sm">
              <span className="block text-xs font-medium text-slate-600">ROI name</span>
              <input className={`${inputClass} w-full`} value={roiName} onChange={(e) => setRoiName(e.target.value)} placeholder="e.g. friction-ring" data-testid="new-roi" />
            </label>
          </div>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <span className="text-sm font-medium text-slate-700">Upload as</span>
          <Segmented
            label="Label of the uploaded crops"
            value={label}
            onChange={setLabel}
            options={[
              { value: "ok", label: "OK" },
              { value: "ng", label: "NG" },
            ]}
            testId="upload-label"
          />
          <label className="inline-flex items-center gap-2 text-sm text-slate-600">
            mm/px
            <input className={`${inputClass} w-24`} value={mmPerPx} onChange={(e) => setMmPerPx(e.target.value)} placeholder="optional" inputMode="decimal" />
          </label>
        </div>
        <DropZone
          onFiles={send}
          disabled={upload.isPending || !newOk}
          hint={newOk ? `Every file is stored as ${label.toUpperCase()}. PNG, JPEG, BMP, TIFF or WebP.` : "Name the recipe, role and ROI first."}
          testId="upload-drop"
        />
        {upload.isPending && <p className="text-sm text-slate-600" data-testid="upload-busy">Uploading…</p>}
        {last && !upload.isPending && (
          <p className="text-sm text-emerald-700" data-testid="upload-done" role="status">
            {last}
          </p>
        )}
        {rejected.length > 0 && (
          <p className="text-sm text-amber-800">Skipped (not an image type): {rejected.join(", ")}</p>
        )}
        <MutationError error={upload.error} title="Upload rejected" onDismiss={() => upload.reset()} />
      </CardBody>
    </Card>
  );
}

export function NewRoiToggle({ on, onChange }: { on: boolean; onChange: (v: boolean) => void }) {
  return (
    <Button variant={on ? "primary" : "secondary"} onClick={() => onChange(!on)} data-testid="new-roi-toggle">
      {on ? "Back to the selected ROI" : "New ROI…"}
    </Button>
  );
}
