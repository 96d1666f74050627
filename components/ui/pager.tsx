"use client";
// Cursor pagination with the stack of previous cursors in the URL (`prev` repeated), so Prev
// works after a reload and a shared link opens on the same page.
import { useUrlState } from "@/lib/ui/use-url-state";

export function usePagerState() {
  const { searchParams, replace } = useUrlState();
  const cursor = searchParams.get("cursor");
  const prev = searchParams.getAll("prev");
  return {
    cursor,
    page: cursor ? prev.length + 2 : 1,
    next: (nextCursor: string) => replace({ cursor: nextCursor, prev: cursor ? [...prev, cursor] : [] }),
    back: () => {
      const stack = [...prev];
      replace({ cursor: stack.pop() ?? null, prev: stack });
    },
    hasPrev: Boolean(cursor),
  };
}

export function Pager({
  hasPrev,
  nextCursor,
  onPrev,
  onNext,
  page,
  isFetching,
}: {
  hasPrev: boolean;
  nextCursor: string | null;
  onPrev: () => void;
  onNext: (c: string) => void;
  page: number;
  isFetching?: boolean;
}) {
  if (!hasPrev && !nextCursor) return null;
  return (
    <nav className="flex items-center justify-between gap-2 pt-3 text-sm" aria-label="Pagination">
      <button type="button" className="btn-secondary" onClick={onPrev} disabled={!hasPrev || isFetching}>
        ← Previous
      </button>
      <span className="text-slate-500">Page {page}</span>
      <button type="button" className="btn-secondary" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor || isFetching}>
        Next →
      </button>
    </nav>
  );
}
