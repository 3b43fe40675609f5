"use client";
import { useCallback, useState } from "react";

/** A stack of cursors for "Previous / Next" over a cursor-paginated list. Reset it when filters change. */
export function useCursorPages<C = string>() {
  const [stack, setStack] = useState<Array<C | null>>([null]);
  const page = stack.length - 1;
  const cursor = stack[page] ?? null;
  const next = useCallback((nextCursor: C | null | undefined) => {
    if (nextCursor != null) setStack((s) => [...s, nextCursor]);
  }, []);
  const prev = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { page, cursor, next, prev, reset };
}
