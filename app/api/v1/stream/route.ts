// GET /api/v1/stream?since=<cursor>&limit — NDJSON of stored events and findings after the cursor,
// the next cursor in the last line (readers). For SIEMs that pull: call again with `next`; `more`
// says whether to call at once. Nothing is held open: each answer is one page (docs/review.md).
import { apiRoute } from "@/lib/api-route";
import { ZStreamQuery } from "@/lib/contracts/review";
import { streamLines } from "@/lib/review/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read", query: ZStreamQuery }, async ({ query }) => {
  const lines = await streamLines(query);
  return new Response(lines.join("\n") + "\n", {
    headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" },
  });
});
