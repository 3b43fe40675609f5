"use client";
import { useEffect, useLayoutEffect, useRef } from "react";

const NON_TEXT_INPUTS = new Set(["range", "checkbox", "radio", "button", "submit", "reset", "color", "file"]);

/** True when the key belongs to the focused field: text entry, a select, or the arrows of a slider. */
function typingInto(t: HTMLElement, key: string): boolean {
  if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  if (t.tagName !== "INPUT") return false;
  const type = (t as HTMLInputElement).type;
  if (!NON_TEXT_INPUTS.has(type)) return true;
  return type === "range" && key.startsWith("Arrow");
}

/**
 * Single-key shortcuts for keyboard-driven review (j/k next/previous, o/n OK/NG…). Ignored while typing in a text field (a
 * slider or checkbox keeps only its arrow keys) or when Ctrl/Meta/Alt is held, so browser shortcuts keep working.
 */
export function useHotkeys(map: Record<string, (e: KeyboardEvent) => void>, enabled = true) {
  const ref = useRef(map);
  // Update the handlers in the same commit as the DOM: with a passive effect, a key pressed right after a render
  // (j then n, fast) would still run the previous handlers and act on the previously selected row.
  useLayoutEffect(() => {
    ref.current = map;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && typingInto(t, e.key)) return;
      const fn = ref.current[e.key];
      if (fn) {
        e.preventDefault();
        fn(e);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
