// POST /api/v1/aip/tokens — import AIP tokens (admin, ingest; shared/spec/aip-import.md §2, §4–§6).
// Body: one token as application/jwt or text/plain (trimmed), or {"tokens": [token | {token, tool?,
// audience?}]} (≤ 1000) as application/json; ≤ 1 MiB. One result per entry, in order, each with
// Delegraph's verdict and the `aip` verdict of the reference's own verifier. A token that starts
// with "eyJ" is compact, anything else chained (the reference's rule).
import { apiRoute } from "@/lib/api-route";
import { AppError, json, readBodyText } from "@/lib/http";
import { importAipTokens } from "@/lib/aip/tokens";
import { MAX_AIP_TOKENS, ZAipTokenBatch, type TAipTokensAnswer } from "@/lib/contracts/aip";

export const dynamic = "force-dynamic";

function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

async function readEntries(req: Request): Promise<unknown[]> {
  const type = mediaType(req);
  if (type !== "application/jwt" && type !== "text/plain" && type !== "application/json")
    throw new AppError("invalid_request", 'Send one token as application/jwt or text/plain, or {"tokens": [...]} as application/json.');
  const text = await readBodyText(req);
  if (type !== "application/json") {
    const token = text.trim();
    if (!token) throw new AppError("invalid_request", `The ${type} body is empty.`);
    return [token];
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "Body is not valid JSON.");
  }
  const parsed = ZAipTokenBatch.safeParse(body);
  if (!parsed.success) throw new AppError("invalid_request", 'Body must be an object {"tokens": [token | {"token", "tool"?, "audience"?}, ...]}.');
  if (parsed.data.tokens.length > MAX_AIP_TOKENS)
    throw new AppError("invalid_request", `At most ${MAX_AIP_TOKENS} tokens per request (got ${parsed.data.tokens.length}).`);
  return parsed.data.tokens;
}

export const POST = apiRoute({ permission: "events:write" }, async ({ req, actor }) => {
  const entries = await readEntries(req);
  const answer: TAipTokensAnswer = { results: await importAipTokens(entries, { source: `${actor.kind}:${actor.id}` }) };
  return json(answer);
});
