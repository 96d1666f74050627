/** Marks seeded demo data wherever it appears. */
export function DemoTag() {
  return (
    <span
      className="rounded border border-violet-300 bg-violet-50 px-1.5 py-px text-[11px] font-medium text-violet-800"
      title="Seeded demo data: the six stories of the quick start"
    >
      demo
    </span>
  );
}
