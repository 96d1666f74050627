"use client";
// Refused submissions: what arrived, when, and why it was not accepted. The reason filter and the
// page live in the URL; the raw bytes of each stay collapsed until asked for.
import Link from "next/link";
import { Fragment, useState } from "react";
import { REJECT_CODES } from "@/lib/protocol/types";
import { useMe } from "@/lib/ui/hooks/use-me";
import { parseRejectCode, type TQuarantineItem, useQuarantine } from "@/lib/ui/hooks/use-quarantine";
import { useUrlState } from "@/lib/ui/use-url-state";
import { IconChevronRight } from "../ui/icons";
import { PageHeader } from "../ui/page-header";
import { Pager, usePagerState } from "../ui/pager";
import { EmptyState, ErrorState, LoadingBlock, StaleNotice } from "../ui/states";
import { Time } from "../ui/time";
import { RawSubmission } from "./raw-submission";
import { REJECT_REASONS, rejectReason } from "./reject-reasons";
import { FreeText } from "@/components/ui/free-text";

const CAN_READ = new Set(["investigator", "admin"]);
const COLUMNS = 5;

function QuarantineRow({ item }: { item: TQuarantineItem }) {
  const [isOpen, setOpen] = useState(false);
  const reason = rejectReason(item.code);
  const rawId = `raw-${item.id}`;
  return (
    <Fragment>
      <tr data-quarantine-id={item.id} data-code={item.code} className={isOpen ? "bg-slate-50/80 [&>td]:border-b-0" : undefined}>
        <td className="text-slate-600">
          <Time t={item.receivedAt} mode="full" />
        </td>
        <td className="min-w-48">
          <span className="block font-medium text-slate-900" title={reason.explain}>
            {reason.name}
          </span>
          <code className="font-mono text-[11px] text-slate-500">{item.code}</code>
        </td>
        <td className="max-w-56">
          {item.jti ? (
            <span className={`block font-mono text-xs text-slate-800 ${isOpen ? "break-all" : "truncate"}`} title={item.jti}>
              {item.jti}
            </span>
          ) : (
            <span className="text-xs text-slate-500" title="The submission could not be read far enough to find a jti">
              none
            </span>
          )}
        </td>
        <td className="max-w-lg text-slate-700">
          <span className={`break-words ${isOpen ? "" : "line-clamp-3"}`}>
            <FreeText value={item.message} />
          </span>
        </td>
        <td className="text-right">
          <button
            type="button"
            className="btn-secondary whitespace-nowrap"
            aria-expanded={isOpen}
            aria-controls={rawId}
            onClick={() => setOpen((o) => !o)}
          >
            <IconChevronRight size={12} className={`transition-transform ${isOpen ? "rotate-90" : ""}`} />
            {isOpen ? "Hide raw" : "Show raw"}
            <span className="sr-only"> bytes of submission {item.jti ?? `#${item.id}`}</span>
          </button>
        </td>
      </tr>
      {isOpen && (
        <tr id={rawId} className="bg-slate-50/80">
          <td colSpan={COLUMNS} className="pt-0">
            {reason.explain && <p className="mb-3 text-sm text-slate-600">{reason.explain}</p>}
            <RawSubmission id={item.id} raw={item.raw} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function WhatLandsHere() {
  return (
    <div className="space-y-2 text-left">
      <p>
        When a submission to <code className="mono-chip">POST /api/v1/events</code> fails a check, Delegraph refuses it and keeps it here with its raw
        bytes and the reason, so nothing sent is lost. The checks, in order:
      </p>
      <ul className="grid gap-x-4 gap-y-1 sm:grid-cols-2">
        {REJECT_CODES.map((c) => (
          <li key={c}>
            {REJECT_REASONS[c].name} <code className="mono-chip">{c}</code>
          </li>
        ))}
      </ul>
      <p>
        Accepted events that break a chain rule are not here: they are{" "}
        <Link href="/findings" className="link">
          findings
        </Link>
        .
      </p>
    </div>
  );
}

export function QuarantineView() {
  const me = useMe();
  const { searchParams, replace } = useUrlState();
  const rawCode = searchParams.get("code");
  const code = parseRejectCode(rawCode);
  const pager = usePagerState();
  const role = me.data?.user.role;
  const canRead = role !== undefined && CAN_READ.has(role);
  const quarantine = useQuarantine(code, pager.cursor, canRead);

  const header = (
    <PageHeader title="Quarantine" description="Submissions Delegraph refused, newest first, with the reason and the bytes exactly as received." />
  );
  if (me.isPending) return <LoadingBlock label="Loading" rows={3} />;
  if (!me.data) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  if (!canRead) {
    return (
      <>
        {header}
        <EmptyState title="The quarantine is for investigators and admins" action={{ href: "/", label: "Go to the overview" }}>
          You are signed in as <strong>{role}</strong>. Refused submissions hold raw tokens, so only investigators and admins can read them. Ask an
          administrator if you need access.
        </EmptyState>
      </>
    );
  }

  const setCode = (v: string) => replace({ code: v || null, cursor: null, prev: null });
  const items = quarantine.data?.items ?? [];
  return (
    <>
      {header}
      <section aria-label="Filters" className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3">
        <div className="w-full max-w-sm">
          <label htmlFor="q-code" className="label">
            Reason
          </label>
          <select id="q-code" name="code" className="input" value={code ?? ""} onChange={(e) => setCode(e.target.value)}>
            <option value="">Any reason</option>
            {REJECT_CODES.map((c) => (
              <option key={c} value={c}>
                {REJECT_REASONS[c].name} ({c})
              </option>
            ))}
          </select>
        </div>
        {code && <p className="min-w-0 flex-1 pb-1.5 text-sm text-slate-600">{REJECT_REASONS[code].explain}</p>}
      </section>
      {rawCode && !code && (
        <p role="status" className="mb-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900">
          “{rawCode}” is not a reason code; showing every reason.
        </p>
      )}
      {quarantine.isError && quarantine.data && <StaleNotice error={quarantine.error} onRetry={() => quarantine.refetch()} />}
      {quarantine.isPending ? (
        <LoadingBlock label="Loading refused submissions" />
      ) : !quarantine.data ? (
        <ErrorState error={quarantine.error} onRetry={() => quarantine.refetch()} />
      ) : items.length === 0 ? (
        code ? (
          <EmptyState title={`Nothing refused as “${REJECT_REASONS[code].name}”`}>
            <button type="button" className="link" onClick={() => setCode("")}>
              Show every reason
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="Nothing in quarantine">
            <WhatLandsHere />
          </EmptyState>
        )
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white">
          <div className="overflow-x-auto">
            <table className="data-table">
              <caption className="sr-only">Refused submissions{code ? `, reason ${REJECT_REASONS[code].name}` : ""}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Event id (jti)</th>
                  <th scope="col">What was wrong</th>
                  <th scope="col">
                    <span className="sr-only">Raw bytes</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <QuarantineRow key={item.id} item={item} />
                ))}
              </tbody>
            </table>
          </div>
          <div className="px-3 pb-3">
            <Pager
              hasPrev={pager.hasPrev}
              nextCursor={quarantine.data.nextCursor}
              onPrev={pager.back}
              onNext={pager.next}
              page={pager.page}
              isFetching={quarantine.isPlaceholderData}
            />
          </div>
        </div>
      )}
    </>
  );
}
