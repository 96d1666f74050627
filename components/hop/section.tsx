export function Section({ title, children, id }: { title: string; children: React.ReactNode; id?: string }) {
  return (
    <section className="border-t border-slate-100 px-5 py-4" aria-labelledby={id}>
      <h3 id={id} className="section-title">
        {title}
      </h3>
      {children}
    </section>
  );
}

export function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-2 py-1 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-slate-800">{children}</dd>
    </div>
  );
}

export function ScopeChip({ scope, tone = "neutral" }: { scope: string; tone?: "neutral" | "added" | "removed" }) {
  const cls =
    tone === "added"
      ? "bg-red-50 text-red-800 ring-red-600/40"
      : tone === "removed"
        ? "bg-slate-50 text-slate-500 line-through decoration-slate-400 ring-slate-300"
        : "bg-slate-50 text-slate-800 ring-slate-300";
  return <code className={`inline-block rounded px-1.5 py-0.5 font-mono text-xs break-all ring-1 ring-inset ${cls}`}>{scope}</code>;
}
