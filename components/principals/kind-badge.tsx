const STYLE: Record<string, string> = {
  human: "bg-slate-900 text-white",
  agent: "bg-slate-100 text-slate-700 ring-1 ring-inset ring-slate-300",
  tool: "bg-white text-slate-700 ring-1 ring-inset ring-slate-300",
  attester: "bg-violet-50 text-violet-800 ring-1 ring-inset ring-violet-200",
};

export function KindBadge({ kind }: { kind: string | null }) {
  if (!kind) return <span className="text-xs text-slate-500">unknown</span>;
  return <span className={`rounded px-1.5 py-0.5 text-[11px] font-semibold tracking-wide uppercase ${STYLE[kind] ?? STYLE.agent}`}>{kind}</span>;
}
