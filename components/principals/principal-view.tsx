"use client";
import { WrapId } from "@/components/ui/wrap-id";
import Link from "next/link";
import { usePrincipal } from "@/lib/ui/hooks/use-principal";
import { useMe } from "@/lib/ui/hooks/use-me";
import { canInvestigate } from "@/lib/ui/roles";
import { toQueryString } from "@/lib/ui/fetcher";
import { ChainTable } from "../chains/chain-table";
import { chainHref } from "../chains/chain-links";
import { IconCheck, IconClose, IconKey } from "../ui/icons";
import { Card, PageHeader } from "../ui/page-header";
import { FindingBadge } from "../ui/severity";
import { ErrorState, LoadingBlock } from "../ui/states";
import { Time } from "../ui/time";
import { KindBadge } from "./kind-badge";
import { FreeText } from "@/components/ui/free-text";
import { PrincipalLeastPrivilege } from "../least-privilege/principal-least-privilege";

export function PrincipalView({ id }: { id: string }) {
  const q = usePrincipal(id);
  const me = useMe();
  if (q.isPending) return <LoadingBlock label="Loading principal" />;
  if (!q.data) return <ErrorState error={q.error} onRetry={() => q.refetch()} back={{ href: "/principals", label: "All principals" }} />;
  const { principal, keys, chains, findings } = q.data;
  const activeKeys = keys.filter((k) => k.revokedAt === null).length;
  const isInvestigator = canInvestigate(me.data?.user.role);

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-1 text-xs text-slate-500">
        <Link href="/principals" className="hover:text-slate-900">
          Principals
        </Link>
      </nav>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <WrapId value={principal.id} label="Copy id" />
            <KindBadge kind={principal.kind} />
          </span>
        }
        description={
          <>
            {principal.name && (
              <span className="text-slate-800">
                <FreeText value={principal.name} /> ·{" "}
              </span>
            )}
            registered <Time t={principal.createdAt} mode="full" /> · {activeKeys} active key{activeKeys === 1 ? "" : "s"}
            {keys.length - activeKeys > 0 ? `, ${keys.length - activeKeys} revoked` : ""}
          </>
        }
        actions={
          isInvestigator ? (
            <Link href={`/investigate?mode=principal&principal=${encodeURIComponent(principal.id)}`} className="btn-secondary">
              Blast radius…
            </Link>
          ) : undefined
        }
      />
      <div className="space-y-5">
        <Card title={`Keys (${keys.length})`}>
          {keys.length === 0 ? (
            <p className="text-sm text-slate-600">No keys registered: nothing this principal signs can be accepted.</p>
          ) : (
            <div className="-m-4 overflow-x-auto">
              <table className="data-table">
                <caption className="sr-only">Public keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Key id (kid)</th>
                    <th scope="col">Type</th>
                    <th scope="col">Thumbprint</th>
                    <th scope="col">Status</th>
                    <th scope="col">Added</th>
                    {isInvestigator && <th scope="col">Investigate</th>}
                  </tr>
                </thead>
                <tbody>
                  {keys.map((k) => (
                    <tr key={k.kid}>
                      <td className="font-mono text-[13px] break-all">
                        <IconKey size={12} className="mr-1 inline text-slate-500" />
                        <WrapId value={k.kid} />
                      </td>
                      <td className="font-mono text-xs">
                        {k.kty}
                        {k.crv ? ` / ${k.crv}` : ""}
                      </td>
                      <td className="max-w-72">
                        <WrapId value={k.thumbprint} className="text-xs text-slate-600" />
                      </td>
                      <td>
                        {k.revokedAt === null ? (
                          <span className="inline-flex items-center gap-1 text-xs font-medium text-green-800">
                            <IconCheck size={12} /> Active
                          </span>
                        ) : (
                          <span className="inline-flex flex-wrap items-center gap-1 text-xs">
                            <span className="inline-flex items-center gap-1 rounded-md bg-orange-50 px-1.5 py-0.5 font-medium text-orange-800 ring-1 ring-orange-600/30 ring-inset">
                              <IconClose size={11} /> Revoked
                            </span>
                            since <Time t={k.revokedAt} mode="full" />
                          </span>
                        )}
                      </td>
                      <td className="text-slate-600">
                        <Time t={k.createdAt} />
                      </td>
                      {isInvestigator && (
                        <td>
                          <Link
                            href={`/investigate${toQueryString({
                              mode: "principal",
                              principal: principal.id,
                              kid: k.kid,
                              since: k.revokedAt === null ? null : new Date(k.revokedAt * 1000).toISOString(),
                            })}`}
                            className="link text-sm whitespace-nowrap"
                            aria-label={`Blast radius of key ${k.kid}`}
                          >
                            Blast radius{k.revokedAt === null ? "" : " since revocation"} →
                          </Link>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
        {q.data.aipDocument && (
          <Card title="AIP identity document">
            <p className="text-sm text-slate-700" data-testid="aip-document">
              Registered from its AIP identity document; the signature verified in the{" "}
              <code className="mono-chip">{q.data.aipDocument.signatureForm}</code> form under key{" "}
              <code className="mono-chip">{q.data.aipDocument.signedBy}</code>, last replaced <Time t={q.data.aipDocument.updatedAt} />.
            </p>
            <details className="mt-2 rounded-md border border-slate-200">
              <summary className="cursor-pointer px-3 py-1.5 text-sm text-slate-700">The document as published</summary>
              <pre className="max-h-96 overflow-auto border-t border-slate-100 bg-slate-50 p-2 font-mono text-[11px] leading-snug whitespace-pre-wrap text-slate-800">
                {JSON.stringify(q.data.aipDocument.document, null, 2)}
              </pre>
            </details>
          </Card>
        )}
        <Card title={`Findings (${findings.length})`}>
          {findings.length === 0 ? (
            <p className="text-sm text-slate-600">No findings on events this principal issued or received.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {findings.map((f) => (
                <li key={`${f.eventJti}:${f.code}`} className="flex flex-wrap items-start gap-x-3 gap-y-1 py-2 text-sm">
                  <FindingBadge code={f.code} />
                  <span className="min-w-0 flex-1 break-words text-slate-700">
                    <FreeText value={f.message} />
                  </span>
                  <Link href={chainHref(f.chainId, { hop: f.eventJti })} className="link font-mono text-xs">
                    open in chain
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <PrincipalLeastPrivilege id={principal.id} />
        <Card title={`Chains involved (${chains.length})`}>
          {chains.length === 0 ? (
            <p className="text-sm text-slate-600">This principal has not appeared in any chain yet.</p>
          ) : (
            <div className="-m-4">
              <ChainTable items={chains} caption="Chains this principal appears in" />
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
