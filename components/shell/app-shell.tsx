"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { TMe } from "@/lib/contracts/auth";
import { authKeys } from "@/lib/ui/query-keys";
import { SideNav } from "./side-nav";
import { TopBar } from "./top-bar";

export function AppShell({ me, children }: { me: TMe; children: React.ReactNode }) {
  const qc = useQueryClient();
  // Seed once, before children read it, so the user menu and CSRF token are there on first paint.
  useState(() => {
    if (!qc.getQueryData(authKeys.me())) qc.setQueryData(authKeys.me(), me);
    return true;
  });
  const [navOpen, setNavOpen] = useState(false);
  const closeNav = useCallback(() => setNavOpen(false), []);
  return (
    <div className="flex h-screen min-h-0 overflow-hidden">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <SideNav open={navOpen} onClose={closeNav} />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar navOpen={navOpen} onMenu={() => setNavOpen((o) => !o)} />
        <main id="main" className="min-h-0 flex-1 overflow-auto">
          {children}
        </main>
      </div>
    </div>
  );
}
