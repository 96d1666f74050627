// GET /api/v1/events/{jti} — one stored event with its raw token, for investigators and admins
// (raw:read). The chain detail leaves tokens out unless asked (?include=raw): the dashboard reads
// the token of the hop it shows from here rather than every token of a thousand-hop chain.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { getRawEvent } from "@/lib/chains/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ jti: string }>({ permission: "raw:read" }, async ({ params }) => json(await getRawEvent(params.jti)));
