"use client";
// Outgoing webhooks (docs/review.md#webhooks): add a receiver, copy its signing secret once, send
// a test, read the delivery log. The open log is in the URL (?tab=webhooks&webhook=<id>), so a link
// shows it. Deliveries are sent by the server's worker, so "Send test" answers at once and the log
// fills in as the receiver answers (polled while anything is queued).
import { useState } from "react";
import type { TSeverity } from "@/lib/protocol/types";
import {
  WEBHOOK_EVENTS,
  type TCreatedWebhook,
  type TWebhook,
  type TWebhookDelivery,
  type TWebhookEvent,
  useCreateWebhook,
  useDeleteWebhook,
  useTestWebhook,
  useWebhookDeliveries,
  useWebhooks,
} from "@/lib/ui/hooks/use-webhooks";
import { useUrlState } from "@/lib/ui/use-url-state";
import { SecretOnce } from "./secret-once";
import { IconCheck, IconClock, IconClose } from "../ui/icons";
import { Card } from "../ui/page-header";
import { EmptyState, ErrorState, LoadingBlock } from "../ui/states";
import { Time } from "../ui/time";
import { ConfirmDialog } from "./dialog";
import { apiErrorMessage, describedBy, Field, FormError } from "./form";

const EVENT_INFO: Record<TWebhookEvent, { label: string; hint: string }> = {
  "finding.created": { label: "New findings", hint: "a check finds something new, at or above the severity below" },
  "finding.state_changed": { label: "Finding state changes", hint: "someone acknowledges, resolves, accepts or reopens a finding" },
  "chain.signed_off": { label: "Chain sign-offs", hint: "a reviewer signs a chain off" },
};
const SEVERITY_CHOICES: { value: "" | TSeverity; label: string }[] = [
  { value: "", label: "Any severity" },
  { value: "warning", label: "Warning and worse" },
  { value: "error", label: "Error and worse" },
  { value: "critical", label: "Critical only" },
];

function CreateWebhookForm({ onCreated }: { onCreated: (w: TCreatedWebhook) => void }) {
  const create = useCreateWebhook();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<TWebhookEvent[]>([...WEBHOOK_EVENTS]);
  const [minSeverity, setMinSeverity] = useState<"" | TSeverity>("");
  const [urlError, setUrlError] = useState<string | null>(null);
  const [eventsError, setEventsError] = useState<string | null>(null);

  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const trimmed = url.trim();
    let bad = false;
    if (!/^https?:\/\/\S+$/i.test(trimmed)) {
      setUrlError("Enter the receiver's full URL, starting with https://.");
      bad = true;
    }
    if (events.length === 0) {
      setEventsError("Choose at least one kind of notification.");
      bad = true;
    }
    if (bad) return;
    create.mutate(
      { url: trimmed, events, ...(minSeverity ? { minSeverity } : {}) },
      {
        onSuccess: (created) => {
          setUrl("");
          onCreated(created);
        },
      },
    );
  };

  const toggle = (ev: TWebhookEvent) => {
    setEventsError(null);
    setEvents((cur) => (cur.includes(ev) ? cur.filter((x) => x !== ev) : WEBHOOK_EVENTS.filter((x) => x === ev || cur.includes(x))));
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a webhook" className="space-y-4">
      <Field id="webhook-url" label="Receiver URL" error={urlError} hint="Delegraph POSTs signed JSON here. https, on a public host.">
        <input
          id="webhook-url"
          name="url"
          type="url"
          inputMode="url"
          className="input font-mono text-[13px]"
          placeholder="https://siem.example.com/hooks/delegraph"
          value={url}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={urlError ? true : undefined}
          aria-describedby={describedBy("webhook-url", { hint: !urlError, error: urlError })}
          onChange={(e) => {
            setUrl(e.target.value);
            setUrlError(null);
          }}
        />
      </Field>
      <div className="grid gap-4 md:grid-cols-[minmax(0,1fr)_14rem]">
        <fieldset aria-describedby={eventsError ? "webhook-events-error" : undefined}>
          <legend className="label">Send</legend>
          <div className="space-y-1.5">
            {WEBHOOK_EVENTS.map((ev) => (
              <label key={ev} className="flex items-start gap-2 text-sm text-slate-800">
                <input type="checkbox" className="mt-0.5" checked={events.includes(ev)} onChange={() => toggle(ev)} />
                <span>
                  <span className="font-medium">{EVENT_INFO[ev].label}</span> <code className="mono-chip">{ev}</code>
                  <span className="block text-xs text-slate-500">when {EVENT_INFO[ev].hint}</span>
                </span>
              </label>
            ))}
          </div>
          {eventsError && (
            <p id="webhook-events-error" className="mt-1 text-xs font-medium text-red-700">
              {eventsError}
            </p>
          )}
        </fieldset>
        <Field id="webhook-severity" label="New findings from" hint="Findings below this severity are not sent.">
          <select
            id="webhook-severity"
            className="input"
            value={minSeverity}
            disabled={!events.includes("finding.created")}
            aria-describedby="webhook-severity-hint"
            onChange={(e) => setMinSeverity(e.target.value as "" | TSeverity)}
          >
            {SEVERITY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn-primary" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add webhook"}
        </button>
        <p className="text-xs text-slate-500">
          Each delivery carries <code className="mono-chip">Delegraph-Signature: t=…,v1=…</code>; see docs/review.md to verify it.
        </p>
      </div>
      <FormError error={create.error} what="add the webhook" />
    </form>
  );
}

/** The signing secret, once. */
function NewWebhookSecret({ created, onDone }: { created: TCreatedWebhook; onDone: () => void }) {
  return (
    <SecretOnce
      id="new-webhook"
      secretKey={created.id}
      title="Copy the signing secret now"
      lead={
        <>
          The receiver at <span className="font-mono break-all">{created.url}</span> needs it to check that each delivery comes from Delegraph. If it
          is lost, delete the webhook and add it again.
        </>
      }
      secret={created.secret}
      inputLabel="The webhook's signing secret"
      copyLabel="Copy secret"
      onDone={onDone}
    />
  );
}

function DeliveryStatus({ d }: { d: Pick<TWebhookDelivery, "status" | "attempts"> & { nextAttemptAt?: string | null } }) {
  if (d.status === "delivered")
    return (
      <span className="inline-flex items-center gap-1 text-xs font-medium text-green-800">
        <IconCheck size={12} /> Delivered
      </span>
    );
  if (d.status === "expired")
    return (
      <span className="inline-flex items-center gap-1 rounded-md bg-red-50 px-1.5 py-0.5 text-xs font-medium text-red-800 ring-1 ring-red-600/30 ring-inset">
        <IconClose size={11} /> Expired
      </span>
    );
  return (
    <span className="inline-flex flex-wrap items-center gap-1 text-xs font-medium text-amber-800">
      <IconClock size={12} /> {d.attempts === 0 ? "Queued" : "Retrying"}
      {d.nextAttemptAt && d.attempts > 0 && (
        <span className="font-normal text-slate-600">
          next try <Time t={d.nextAttemptAt} />
        </span>
      )}
    </span>
  );
}

const tryResult = (a: { httpStatus: number | null; error: string | null }) =>
  a.httpStatus !== null ? `HTTP ${a.httpStatus}` : (a.error ?? "no answer");

function DeliveryLog({ webhook }: { webhook: TWebhook }) {
  const log = useWebhookDeliveries(webhook.id);
  return (
    <section aria-labelledby="delivery-log-title" className="mt-4 border-t border-slate-200 pt-4">
      <h3 id="delivery-log-title" className="text-sm font-semibold text-slate-900">
        Delivery log
      </h3>
      {log.isPending ? (
        <LoadingBlock label="Loading deliveries" rows={2} />
      ) : !log.data ? (
        <ErrorState error={log.error} onRetry={() => log.refetch()} compact />
      ) : log.data.items.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">Nothing sent yet. “Send test” queues a signed test delivery.</p>
      ) : (
        <>
          <ol className="mt-2 divide-y divide-slate-100" aria-label="Deliveries, newest first">
            {log.data.items.map((d) => (
              <li key={d.id} className="py-2.5" data-delivery-id={d.id}>
                <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                  <code className="mono-chip">{d.type}</code>
                  <DeliveryStatus d={d} />
                  <span className="text-xs text-slate-500">
                    queued <Time t={d.createdAt} />
                  </span>
                  <span className="truncate font-mono text-[11px] text-slate-500" title={d.eventId}>
                    {d.eventId}
                  </span>
                </div>
                {d.log.length > 0 && (
                  <ol className="mt-1.5 space-y-0.5 text-xs text-slate-700" aria-label={`Tries of delivery ${d.id}`}>
                    {d.log.map((a, i) => {
                      const ok = a.httpStatus !== null && a.httpStatus >= 200 && a.httpStatus < 300;
                      return (
                        <li key={i} className="flex flex-wrap gap-x-2">
                          <span className="text-slate-500">Try {i + 1}</span>
                          <Time t={a.at} />
                          <span className={ok ? "font-medium text-green-800" : "font-medium text-red-800"}>{tryResult(a)}</span>
                          <span className="text-slate-500 tabular-nums">{a.durationMs} ms</span>
                        </li>
                      );
                    })}
                  </ol>
                )}
              </li>
            ))}
          </ol>
          {log.data.total > log.data.items.length && (
            <p className="mt-2 text-xs text-slate-500">
              The newest {log.data.items.length} of {log.data.total} deliveries; {log.data.total - log.data.items.length} older ones are not shown.
            </p>
          )}
        </>
      )}
    </section>
  );
}

function WebhookRow({ webhook, isOpen, onToggle, onDelete }: { webhook: TWebhook; isOpen: boolean; onToggle: () => void; onDelete: () => void }) {
  const test = useTestWebhook();
  const last = webhook.lastDelivery;
  return (
    <li className="py-4 first:pt-0 last:pb-0" data-webhook-id={webhook.id}>
      <div className="flex flex-col gap-3 lg:flex-row lg:items-start lg:justify-between">
        <div className="min-w-0 space-y-1.5">
          <p className="font-mono text-[13px] font-medium break-all text-slate-900">{webhook.url}</p>
          <div className="flex flex-wrap gap-1.5">
            {webhook.events.map((ev) => (
              <code key={ev} className="mono-chip">
                {ev}
              </code>
            ))}
            {webhook.minSeverity && webhook.events.includes("finding.created") && (
              <span className="text-xs text-slate-600">new findings from {webhook.minSeverity}</span>
            )}
          </div>
          <p className="text-xs text-slate-500">
            Added <Time t={webhook.createdAt} /> by {webhook.createdBy}
            {" · "}
            {last ? (
              <>
                last delivery: <DeliveryStatus d={{ status: last.status, attempts: 1 }} />
                {last.httpStatus !== null || last.error ? ` (${tryResult(last)})` : ""}
              </>
            ) : (
              "nothing sent yet"
            )}
            {webhook.queued > 0 && ` · ${webhook.queued} queued`}
          </p>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          <button
            type="button"
            className="btn-secondary"
            disabled={test.isPending}
            onClick={() => test.mutate(webhook.id, { onSuccess: () => !isOpen && onToggle() })}
          >
            {test.isPending ? "Sending…" : "Send test"}
          </button>
          <button type="button" className="btn-secondary" aria-expanded={isOpen} onClick={onToggle}>
            {isOpen ? "Hide log" : "Delivery log"}
          </button>
          <button type="button" className="btn-secondary text-red-800" onClick={onDelete} aria-label={`Delete webhook ${webhook.url}`}>
            Delete…
          </button>
        </div>
      </div>
      {test.isError && <p className="mt-2 text-sm text-red-800">{apiErrorMessage(test.error, "queue the test")}</p>}
      {test.isSuccess && (
        <p className="mt-2 text-sm text-slate-700" role="status">
          Test delivery queued; its outcome appears in the log below.
        </p>
      )}
      {isOpen && <DeliveryLog webhook={webhook} />}
    </li>
  );
}

export function WebhooksPanel() {
  const hooks = useWebhooks();
  const remove = useDeleteWebhook();
  const { searchParams, replace } = useUrlState();
  const open = searchParams.get("webhook");
  const [created, setCreated] = useState<TCreatedWebhook | null>(null);
  const [toDelete, setToDelete] = useState<TWebhook | null>(null);
  const items = hooks.data?.items ?? [];

  const closeDelete = () => {
    setToDelete(null);
    remove.reset();
  };

  return (
    <div className="space-y-5">
      <Card title="Add a webhook">
        <CreateWebhookForm
          onCreated={(w) => {
            setCreated(w);
            replace({ webhook: w.id });
          }}
        />
      </Card>
      {created && <NewWebhookSecret created={created} onDone={() => setCreated(null)} />}
      <Card title={hooks.data ? `Webhooks (${items.length})` : "Webhooks"}>
        {hooks.isPending ? (
          <LoadingBlock label="Loading webhooks" rows={2} />
        ) : !hooks.data ? (
          <ErrorState error={hooks.error} onRetry={() => hooks.refetch()} compact />
        ) : items.length === 0 ? (
          <EmptyState title="No webhooks yet">
            Add one above to send new findings, state changes and sign-offs to a SIEM, a chat or a ticketing tool. Tools that pull can read{" "}
            <code className="mono-chip">GET /api/v1/stream</code> instead.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-200">
            {items.map((w) => (
              <WebhookRow
                key={w.id}
                webhook={w}
                isOpen={open === w.id}
                onToggle={() => replace({ webhook: open === w.id ? null : w.id })}
                onDelete={() => setToDelete(w)}
              />
            ))}
          </ul>
        )}
        <p className="mt-3 text-xs text-slate-500">
          A receiver that is down misses nothing: deliveries wait in the database and are retried with growing pauses until they expire (72 hours
          unless <code className="mono-chip">DELEGRAPH_WEBHOOK_EXPIRE_HOURS</code> says otherwise).
        </p>
      </Card>
      <ConfirmDialog
        open={toDelete !== null}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busyLabel="Deleting…"
        isBusy={remove.isPending}
        error={remove.isError ? apiErrorMessage(remove.error, "delete the webhook") : null}
        onClose={closeDelete}
        onConfirm={() =>
          toDelete &&
          remove.mutate(toDelete.id, {
            onSuccess: () => {
              if (open === toDelete.id) replace({ webhook: null });
              closeDelete();
            },
          })
        }
      >
        <p className="break-all">
          Nothing more is sent to <span className="font-mono">{toDelete?.url}</span>; its queued deliveries and its delivery log are deleted.
        </p>
      </ConfirmDialog>
    </div>
  );
}
