"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useMe } from "@/lib/ui/hooks/use-me";
import { useSignOut } from "@/lib/ui/hooks/use-sign-out";
import { SEARCH_GROUPS, type TSearchGroup } from "@/lib/contracts/search";
import { fetchSearch, useSearchSuggestions } from "@/lib/ui/hooks/use-search";
import { setTimeZone, useTimeZone } from "@/lib/ui/time-zone";
import { IconMenu, IconSearch, IconSignOut } from "../ui/icons";

const GROUP_LABEL: Record<TSearchGroup, string> = { chains: "Chains", events: "Events", principals: "Principals", resources: "Resources" };

/**
 * Global search. Enter on an exact chain id or jti opens it (`/chains/{id}?hop={jti}`); otherwise
 * suggestions grouped by chain, event, principal and resource appear as you type, and Enter lists the
 * matching chains. Arrow keys move through the suggestions.
 */
function GlobalSearch() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const current = pathname === "/chains" ? (searchParams.get("q") ?? "") : "";
  const [value, setValue] = useState(current);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // A later navigation to /chains?q=… shows its text; the first render already does.
  const shown = useRef(current);
  useEffect(() => {
    if (shown.current === current) return;
    shown.current = current;
    setValue(current);
  }, [current]);
  // Text typed while the page was still loading is in the box but not in state: keep it, so no
  // keystroke is lost and its suggestions come as if it had been typed now.
  useEffect(() => {
    const typed = input.current?.value ?? "";
    if (typed === current) return;
    setValue(typed);
    setOpen(document.activeElement === input.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, at hydration
  }, []);
  const suggestions = useSearchSuggestions(value);
  const answer = suggestions.data && suggestions.data.q === value.trim() ? suggestions.data : null;
  const hits = answer ? SEARCH_GROUPS.flatMap((g) => answer.groups[g].map((h) => ({ ...h, group: g }))) : [];

  const go = (href: string) => {
    setOpen(false);
    setActive(-1);
    router.push(href);
  };
  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    const q = value.trim();
    if (active >= 0 && hits[active]) return go(hits[active].href);
    if (!q) return go("/chains");
    setBusy(true);
    try {
      const a = await fetchSearch(q);
      go(a.exact ? a.exact.href : `/chains?q=${encodeURIComponent(q)}`);
    } catch {
      go(`/chains?q=${encodeURIComponent(q)}`);
    } finally {
      setBusy(false);
    }
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") return setOpen(false);
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    setOpen(true);
    if (hits.length === 0) return;
    setActive((i) => (e.key === "ArrowDown" ? (i + 1) % hits.length : (i <= 0 ? hits.length : i) - 1));
  };
  const showList = open && value.trim().length >= 2;
  return (
    <form
      role="search"
      onSubmit={onSubmit}
      className="relative w-full max-w-xl"
      onBlur={(e) => !e.currentTarget.contains(e.relatedTarget) && setOpen(false)}
    >
      <label htmlFor="global-search" className="sr-only">
        Search chains by chain id, event id (jti), principal or resource
      </label>
      <span className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-slate-500">
        <IconSearch size={14} />
      </span>
      <input
        ref={input}
        id="global-search"
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls="global-search-list"
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `search-hit-${active}` : undefined}
        aria-busy={busy}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
        placeholder="Search chain id, jti, principal or resource"
        className="input pl-8"
        autoComplete="off"
      />
      {showList && (
        <div
          id="global-search-list"
          role="listbox"
          aria-label="Suggestions"
          className="absolute top-full right-0 left-0 z-40 mt-1 max-h-[70vh] overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
        >
          {!answer ? (
            <p className="px-3 py-2 text-slate-500">
              {suggestions.isError ? "Suggestions are unavailable; Enter searches the chains." : "Searching…"}
            </p>
          ) : hits.length === 0 ? (
            <p className="px-3 py-2 text-slate-600">No suggestions. Enter searches the chains for &ldquo;{answer.q}&rdquo;.</p>
          ) : (
            SEARCH_GROUPS.filter((g) => answer.groups[g].length > 0).map((g) => (
              <div key={g} role="group" aria-label={GROUP_LABEL[g]}>
                <p className="px-3 pt-2 pb-1 text-[11px] font-semibold tracking-wide text-slate-500 uppercase">{GROUP_LABEL[g]}</p>
                {answer.groups[g].map((h) => {
                  const i = hits.findIndex((x) => x.group === g && x.href === h.href && x.label === h.label);
                  return (
                    <a
                      key={`${g}:${h.href}:${h.label}`}
                      id={`search-hit-${i}`}
                      role="option"
                      aria-selected={i === active}
                      href={h.href}
                      onClick={(e) => {
                        e.preventDefault();
                        go(h.href);
                      }}
                      className={`block px-3 py-1.5 ${i === active ? "bg-slate-100" : "hover:bg-slate-50"}`}
                    >
                      <span className="block truncate font-mono text-[13px] text-slate-900">{h.label}</span>
                      {h.detail && <span className="block truncate text-xs text-slate-500">{h.detail}</span>}
                    </a>
                  );
                })}
              </div>
            ))
          )}
        </div>
      )}
    </form>
  );
}

function UserMenu() {
  const me = useMe();
  const signOut = useSignOut();
  const onSignOut = () =>
    signOut.mutate(me.data?.csrfToken, {
      onSettled: () => window.location.assign("/sign-in"),
    });
  if (!me.data) return <span className="h-5 w-40 animate-pulse rounded bg-slate-100" aria-hidden="true" />;
  return (
    <div className="flex items-center gap-3 text-sm">
      <span className="hidden text-slate-700 sm:inline" title={`Signed in as ${me.data.user.email} (${me.data.user.role})`}>
        {me.data.user.email}
      </span>
      <button type="button" className="btn-secondary whitespace-nowrap" onClick={onSignOut} disabled={signOut.isPending} aria-label="Sign out">
        <IconSignOut size={13} />
        <span className="hidden sm:inline">Sign out</span>
      </button>
    </div>
  );
}

/** The UTC/local switch for every time in the dashboard; remembered in this browser. */
function ZoneSwitch() {
  const zone = useTimeZone();
  return (
    <div role="group" aria-label="Show times in" className="flex shrink-0 overflow-hidden rounded-md border border-slate-300 text-xs">
      {(["local", "utc"] as const).map((z) => (
        <button
          key={z}
          type="button"
          aria-pressed={zone === z}
          onClick={() => setTimeZone(z)}
          title={z === "utc" ? "Show every time in UTC" : "Show every time in this browser's zone"}
          className={`px-2 py-1 ${zone === z ? "bg-slate-900 text-white" : "bg-white text-slate-700 hover:bg-slate-50"}`}
        >
          {z === "utc" ? "UTC" : "Local"}
        </button>
      ))}
    </div>
  );
}

export function TopBar({ navOpen = false, onMenu }: { navOpen?: boolean; onMenu?: () => void }) {
  return (
    <header className="flex h-14 shrink-0 items-center justify-between gap-2 border-b border-slate-200 bg-white px-3 sm:gap-4 sm:px-5">
      <button type="button" className="btn-ghost md:hidden" aria-label="Menu" aria-controls="main-nav" aria-expanded={navOpen} onClick={onMenu}>
        <IconMenu size={18} />
      </button>
      <GlobalSearch />
      <ZoneSwitch />
      <UserMenu />
    </header>
  );
}
