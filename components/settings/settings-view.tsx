"use client";
// Settings for admins: API tokens, users and the audit log, one tab each (?tab=, so a link opens
// the same tab). The API refuses non-admins anyway; this says so before anyone fills a form.
import { useMe } from "@/lib/ui/hooks/use-me";
import { useUrlState } from "@/lib/ui/use-url-state";
import { PageHeader } from "../ui/page-header";
import { EmptyState, ErrorState, LoadingBlock } from "../ui/states";
import { AuditPanel } from "./audit-panel";
import { TokensPanel } from "./tokens-panel";
import { UsersPanel } from "./users-panel";
import { WebhooksPanel } from "./webhooks-panel";

const TABS = [
  { id: "tokens", label: "API tokens" },
  { id: "users", label: "Users" },
  { id: "audit", label: "Audit log" },
  { id: "webhooks", label: "Webhooks" },
] as const;
type TTab = (typeof TABS)[number]["id"];

function parseTab(v: string | null): TTab {
  return TABS.some((t) => t.id === v) ? (v as TTab) : "tokens";
}

export function AdminsOnly({ role }: { role: string }) {
  return (
    <EmptyState title="Settings are for admins only" action={{ href: "/", label: "Go to the overview" }}>
      You are signed in as <strong>{role}</strong>. API tokens, users and the audit log are managed by an administrator; ask one if you need a token
      or a change to your account.
    </EmptyState>
  );
}

export function SettingsView() {
  const me = useMe();
  const { searchParams, replace } = useUrlState();
  const tab = parseTab(searchParams.get("tab"));

  if (me.isPending) return <LoadingBlock label="Loading" rows={3} />;
  if (!me.data) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;

  const select = (id: TTab) => replace({ tab: id === "tokens" ? null : id, webhook: null });
  const onTabKey = (e: React.KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const to =
      e.key === "ArrowRight"
        ? (i + 1) % TABS.length
        : e.key === "ArrowLeft"
          ? (i - 1 + TABS.length) % TABS.length
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? TABS.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    select(TABS[to].id);
    requestAnimationFrame(() => document.getElementById(`settings-tab-${TABS[to].id}`)?.focus());
  };

  return (
    <>
      <PageHeader
        title="Settings"
        description="API tokens for producers and scripts, the people who use this dashboard, what they did, and where notifications go."
      />
      {me.data.user.role !== "admin" ? (
        <AdminsOnly role={me.data.user.role} />
      ) : (
        <>
          <div role="tablist" aria-label="Settings" className="mb-5 flex gap-1 border-b border-slate-200" onKeyDown={onTabKey}>
            {TABS.map((t) => (
              <button
                key={t.id}
                id={`settings-tab-${t.id}`}
                role="tab"
                type="button"
                aria-selected={tab === t.id}
                aria-controls={`settings-panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => select(t.id)}
                className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
                  tab === t.id ? "border-slate-900 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"
                }`}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div id={`settings-panel-${tab}`} role="tabpanel" aria-labelledby={`settings-tab-${tab}`}>
            {tab === "tokens" ? <TokensPanel /> : tab === "users" ? <UsersPanel /> : tab === "webhooks" ? <WebhooksPanel /> : <AuditPanel />}
          </div>
        </>
      )}
    </>
  );
}
