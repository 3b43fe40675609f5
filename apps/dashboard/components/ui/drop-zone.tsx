"use client";
import { useRef, useState } from "react";
import { cn } from "@/lib/cn";

const IMAGE_TYPES = ["image/png", "image/jpeg", "image/bmp", "image/tiff", "image/webp"];

/**
 * Drag-and-drop (or click) multi-file picker for crops. It only hands the chosen files to `onFiles`; uploading is
 * the caller's job, so nothing here pretends a file reached the service.
 */
export function DropZone({
  onFiles,
  disabled = false,
  accept = IMAGE_TYPES,
  hint = "PNG, JPEG, BMP, TIFF or WebP crops",
  testId = "drop-zone",
}: {
  onFiles: (files: File[], rejected: File[]) => void;
  disabled?: boolean;
  accept?: string[];
  hint?: string;
  testId?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const split = (list: FileList | null) => {
    const all = Array.from(list ?? []);
    const ok = all.filter((f) => accept.includes(f.type));
    onFiles(ok, all.filter((f) => !ok.includes(f)));
  };
  return (
    <div
      data-testid={testId}
      onDragOver={(e) => {
        if (disabled) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (!disabled) split(e.dataTransfer.files);
      }}
      className={cn(
        "flex flex-col items-center justify-center rounded-xl border-2 border-dashed px-6 py-8 text-center transition",
        over ? "border-brand-500 bg-brand-50" : "border-slate-300 bg-white",
        disabled && "opacity-60",
      )}
    >
      <p className="text-sm text-slate-700">
        Drop crops here or{" "}
        <button
          type="button"
          disabled={disabled}
          onClick={() => input.current?.click()}
          className="font-medium text-brand-700 underline-offset-2 hover:underline disabled:no-underline"
        >
          choose files
        </button>
      </p>
      <p className="mt-1 text-xs text-slate-500">{hint}</p>
      <input
        ref={input}
        type="file"
        multiple
        accept={accept.join(",")}
        className="sr-only"
        tabIndex={-1}
        onChange={(e) => {
          split(e.target.files);
          e.target.value = "";
        }}
      />
    </div>
  );
}
