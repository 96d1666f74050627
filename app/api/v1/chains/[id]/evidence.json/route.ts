// GET /api/v1/chains/{id}/evidence.json — the chain's evidence bundle (format delegraph-evidence/2,
// docs/exports.md): raw tokens byte for byte, public keys, ledger links and verdicts, for
// `npx delegraph verify` offline. Who: chains:export. Raw tokens are included for every role that
// may export: a bundle without them could not be re-verified. Each export is audited. An observed
// chain answers its observed record instead (delegraph-observed/1: observed, not verified).
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { attachmentHeader } from "@/lib/reports/csv";
import { getChainEvidence } from "@/lib/reports/queries";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:export" }, async ({ actor, params: { id } }) => {
  const chainId = id;
  const bundle = await getChainEvidence(chainId);
  await recordAudit(actor, "chain.export.evidence", chainId, { digest: bundle.digest, tokens: "tokens" in bundle ? bundle.tokens.length : 0 });
  return new Response(JSON.stringify(bundle, null, 2) + "\n", {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": attachmentHeader(`delegraph-evidence-${chainId}`, "json"),
      "cache-control": "no-store",
    },
  });
});
