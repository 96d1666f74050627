"use client";
// API tokens for producers and scripts. The secret exists in the browser only in this component's
// state, right after creation: it is never cached, and leaving the page forgets it.
import { useState } from "react";
import {
  TOKEN_ROLES,
  type TApiToken,
  type TCreatedToken,
  type TTokenRole,
  useCreateToken,
  useRevokeToken,
  useTokens,
} from "@/lib/ui/hooks/use-settings";
import { IconKey } from "../ui/icons";
import { Card } from "../ui/page-header";
import { EmptyState, ErrorState, LoadingBlock } from "../ui/states";
import { Time } from "../ui/time";
import { ConfirmDialog } from "./dialog";
import { SecretOnce } from "./secret-once";
import { apiErrorMessage, describedBy, EndedStatus, Field, FormError, ROLE_INFO, RoleBadge } from "./form";
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";

const NAME_MAX = 100;

function CreateTokenForm({ onCreated }: { onCreated: (t: TCreatedToken) => void }) {
  const create = useCreateToken();
  const [name, setName] = useState("");
  const [role, setRole] = useState<TTokenRole>("ingest");
  const [nameError, setNameError] = useState<string | null>(null);

  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setNameError("Give the token a name, such as the service that will use it.");
    if (trimmed.length > NAME_MAX) return setNameError(`Keep the name to ${NAME_MAX} characters or fewer.`);
    create.mutate(
      { name: trimmed, role },
      {
        onSuccess: (created) => {
          setName("");
          onCreated(created);
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Create an API token" className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_12rem_auto] sm:items-start">
        <Field id="token-name" label="Name" error={nameError} hint="Who or what will use it, e.g. “payments-agent production”.">
          <input
            id="token-name"
            name="name"
            className="input"
            value={name}
            maxLength={NAME_MAX + 20}
            autoComplete="off"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={describedBy("token-name", { hint: !nameError, error: nameError })}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
          />
        </Field>
        <Field id="token-role" label="Role" hint={ROLE_INFO[role].can}>
          <select
            id="token-role"
            name="role"
            className="input"
            value={role}
            aria-describedby="token-role-hint"
            onChange={(e) => setRole(e.target.value as TTokenRole)}
          >
            {TOKEN_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_INFO[r].word}
              </option>
            ))}
          </select>
        </Field>
        <div className="sm:pt-5">
          <button type="submit" className="btn-primary w-full whitespace-nowrap sm:w-auto" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create token"}
          </button>
        </div>
      </div>
      <FormError error={create.error} what="create the token" />
    </form>
  );
}

/** The secret, once. */
function NewTokenSecret({ created, onDone }: { created: TCreatedToken; onDone: () => void }) {
  return (
    <SecretOnce
      id="new-token"
      secretKey={created.id}
      title={
        <>
          Copy the token for “<FreeText value={created.name} />” now
        </>
      }
      lead="Delegraph keeps only a hash of it. If it is lost, revoke it and create a new one."
      secret={created.token}
      inputLabel="The new API token"
      copyLabel="Copy token"
      footer={
        <p className="mt-2 text-xs text-amber-900">
          Send it as <code className="mono-chip">Authorization: Bearer &lt;token&gt;</code>. Role: {ROLE_INFO[created.role]?.word ?? created.role}.
        </p>
      }
      onDone={onDone}
    />
  );
}

export function TokensPanel() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [created, setCreated] = useState<TCreatedToken | null>(null);
  const [toRevoke, setToRevoke] = useState<TApiToken | null>(null);

  const closeRevoke = () => {
    setToRevoke(null);
    revoke.reset();
  };
  const items = tokens.data?.items ?? [];
  const active = items.filter((t) => !t.revokedAt).length;

  return (
    <div className="space-y-5">
      <Card title="Create an API token">
        <CreateTokenForm onCreated={setCreated} />
      </Card>
      {created && <NewTokenSecret created={created} onDone={() => setCreated(null)} />}
      <Card title={tokens.data ? `API tokens (${active} active${items.length - active ? `, ${items.length - active} revoked` : ""})` : "API tokens"}>
        {tokens.isPending ? (
          <LoadingBlock label="Loading tokens" rows={3} />
        ) : !tokens.data ? (
          <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} compact />
        ) : items.length === 0 ? (
          <EmptyState title="No API tokens yet">
            Create one above for each producer that sends events (role Ingest) or each script that reads the API.
          </EmptyState>
        ) : (
          <div className="-mx-4 -mt-4 overflow-x-auto">
            <table className="data-table">
              <caption className="sr-only">API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((t) => (
                  <tr key={t.id} data-token-id={t.id} className={t.revokedAt ? "text-slate-500" : undefined}>
                    <td className="max-w-80">
                      <span className="flex items-center gap-1.5">
                        <IconKey size={12} className="shrink-0 text-slate-500" />
                        <span
                          className={`truncate font-medium ${t.revokedAt ? "text-slate-500 line-through decoration-slate-400" : "text-slate-900"}`}
                          title={revealInvisible(t.name)}
                        >
                          <FreeText value={t.name} />
                        </span>
                      </span>
                      <span className="block truncate font-mono text-[11px] text-slate-500" title={t.id}>
                        {t.id}
                      </span>
                    </td>
                    <td>
                      <RoleBadge role={t.role} />
                    </td>
                    <td>
                      <EndedStatus endedAt={t.revokedAt} endedLabel="Revoked" />
                    </td>
                    <td className="text-slate-600">
                      <Time t={t.createdAt} />
                      <span className="block max-w-72 truncate text-xs text-slate-500" title={t.createdBy ?? undefined}>
                        by {t.createdBy ?? "—"}
                      </span>
                    </td>
                    <td className="text-right">
                      {!t.revokedAt && (
                        <button
                          type="button"
                          className="btn-secondary text-red-800"
                          onClick={() => setToRevoke(t)}
                          aria-label={`Revoke token ${t.name}`}
                        >
                          Revoke…
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="mt-3 text-xs text-slate-500">
          The bootstrap token from <code className="mono-chip">DELEGRAPH_API_TOKEN</code> is configured on the server and not listed here.
        </p>
      </Card>
      <ConfirmDialog
        open={toRevoke !== null}
        title={`Revoke the token “${revealInvisible(toRevoke?.name ?? "")}”?`}
        confirmLabel="Revoke token"
        busyLabel="Revoking…"
        isBusy={revoke.isPending}
        error={revoke.isError ? apiErrorMessage(revoke.error, "revoke the token") : null}
        onClose={closeRevoke}
        onConfirm={() => toRevoke && revoke.mutate(toRevoke.id, { onSuccess: closeRevoke })}
      >
        <p>It stops working at once: every request that sends it is refused from now on. This cannot be undone.</p>
        <p className="text-slate-600">Events it already sent stay in the ledger.</p>
      </ConfirmDialog>
    </div>
  );
}
