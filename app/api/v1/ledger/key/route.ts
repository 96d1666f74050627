// GET /api/v1/ledger/key — the server's public signing key (Ed25519 JWK and its RFC 7638 thumbprint)
// and the earlier ones the database records, each saying whether this server's key file vouches for
// it. Who: chains:read. Public halves only: this is what an auditor pins `delegraph verify --key` to,
// and what the PDF covers print, so it is no secret (docs/exports.md).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { getLedgerKey } from "@/lib/ledger/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read" }, async () => json(await getLedgerKey()));
