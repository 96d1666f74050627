"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { useMe } from "@/lib/ui/hooks/use-me";
import { useSignOut } from "@/lib/ui/hooks/use-sign-out";
import { setTimeZone, useTimeZone } from "@/lib/ui/time-zone";
import { IconMenu, IconSearch, IconSignOut } from "../ui/icons";

function GlobalSearch() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const current = pathname === "/chains" ? (searchParams.get("q") ?? "") : "";
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    const q = value.trim();
    router.push(q ? `/chains?q=${encodeURIComponent(q)}` : "/chains");
  };
  return (
    <form role="search" onSubmit={onSubmit} className="relative w-full max-w-xl">
      <label htmlFor="global-search" className="sr-only">
        Search chains by chain id, event id (jti), principal or resource
      </label>
      <span className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-slate-400">
        <IconSearch size={14} />
      </span>
      <input
        id="global-search"
        type="search"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="Search chain id, jti, principal or resource"
        className="input pl-8"
      />
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
      <button type="button" className="btn-secondary" onClick={onSignOut} disabled={signOut.isPending}>
        <IconSignOut size={13} />
        Sign out
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
