export function chainHref(id: string, opts: { hop?: string | null; tab?: string | null } = {}): string {
  const sp = new URLSearchParams();
  if (opts.tab) sp.set("tab", opts.tab);
  if (opts.hop) sp.set("hop", opts.hop);
  const qs = sp.toString();
  return `/chains/${encodeURIComponent(id)}${qs ? `?${qs}` : ""}`;
}

export function principalHref(id: string): string {
  return `/principals/${encodeURIComponent(id)}`;
}
