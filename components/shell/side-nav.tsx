"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect } from "react";
import { useMe } from "@/lib/ui/hooks/use-me";
import { IconChains, IconError, IconFindings, IconInvestigate, IconKey, IconOverview, IconPrincipals, IconSettings } from "../ui/icons";
import { SavedViewsNav } from "../review/saved-views";
import { INVESTIGATE_ROLES } from "@/lib/ui/roles";

// `roles`: shown only to these roles (the API refuses the others anyway).
const ITEMS: readonly { href: string; label: string; icon: typeof IconOverview; roles?: readonly string[] }[] = [
  { href: "/", label: "Overview", icon: IconOverview },
  { href: "/chains", label: "Chains", icon: IconChains },
  { href: "/findings", label: "Findings", icon: IconFindings },
  { href: "/principals", label: "Principals", icon: IconPrincipals },
  { href: "/least-privilege", label: "Least privilege", icon: IconKey },
  { href: "/investigate", label: "Investigate", icon: IconInvestigate, roles: INVESTIGATE_ROLES },
  { href: "/quarantine", label: "Quarantine", icon: IconError, roles: INVESTIGATE_ROLES },
  { href: "/settings", label: "Settings", icon: IconSettings, roles: ["admin"] },
  { href: "/api-reference", label: "API reference", icon: IconKey },
];

function isActive(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The main navigation. From md up it is a fixed column; below (phones) it is a drawer that the top
 * bar's menu button opens, closed again by a link, the backdrop or Escape.
 */
export function SideNav({ open = false, onClose }: { open?: boolean; onClose?: () => void }) {
  const pathname = usePathname();
  const me = useMe();
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose?.();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, onClose]);
  return (
    <>
      {open && <div className="fixed inset-0 z-30 bg-slate-900/30 md:hidden" aria-hidden="true" onClick={onClose} />}
      <nav
        id="main-nav"
        aria-label="Main"
        className={`${open ? "fixed inset-y-0 left-0 z-40 flex shadow-xl" : "hidden"} w-52 shrink-0 flex-col border-r border-slate-200 bg-white md:static md:flex md:shadow-none`}
      >
        <Link href="/" onClick={onClose} className="flex h-14 items-center gap-2 border-b border-slate-200 px-4">
          <span aria-hidden="true" className="grid size-7 place-items-center rounded-md bg-slate-900 text-white">
            <IconChains size={15} />
          </span>
          <span className="font-semibold tracking-tight text-slate-900">Delegraph</span>
        </Link>
        <ul className="flex-1 space-y-0.5 p-2">
          {ITEMS.filter((i) => !i.roles || (me.data && i.roles.includes(me.data.user.role))).map(({ href, label, icon: Icon }) => {
            const active = isActive(pathname, href);
            return (
              <li key={href}>
                <Link
                  href={href}
                  onClick={onClose}
                  aria-current={active ? "page" : undefined}
                  className={`flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm ${
                    active ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900"
                  }`}
                >
                  <Icon size={15} />
                  {label}
                </Link>
              </li>
            );
          })}
        </ul>
        <SavedViewsNav onNavigate={onClose} />
        {me.data && (
          <p className="border-t border-slate-100 px-4 py-3 text-xs text-slate-500">
            Role: <span className="font-medium text-slate-700">{me.data.user.role}</span>
          </p>
        )}
      </nav>
    </>
  );
}
