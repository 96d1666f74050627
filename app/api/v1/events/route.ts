// POST /api/v1/events — ingest signed delegation events (docs/protocol.md §6).
// Who: admin and ingest tokens. Body: one token as application/jwt, or {"events": [...]} (≤ 1000)
// as application/json; ≤ 1 MiB. One result per token, in order; one transaction per batch.
// Admission control (lib/ingest/admission.ts): past DELEGRAPH_INGEST_MAX_QUEUED_EVENTS events admitted
// and not yet answered, a request is refused with 503 + Retry-After once its entries are counted,
// before its signatures are verified; nothing of a refused request is stored. Authentication comes
// first (a 401 is a 401). A request whose credentials were authenticated here lately is admitted or
// refused by scripts/server.mjs before Next sees it, on an estimate from its Content-Length (a
// refusal through Next costs milliseconds, and requests inside Next but not yet counted let a
// crowd past a full queue); its weight is settled to the counted events here.
import { apiRoute } from "@/lib/api-route";
import { AppError, ingestAtCapacity, json, readBodyText } from "@/lib/http";
import { ADMISSION_HEADER, ingestAdmission } from "@/lib/ingest/admission";
import { ingestBatch } from "@/lib/ingest/ingest";
import { MAX_BATCH, ZEventBatch, type TIngestResponse } from "@/lib/contracts/events";

export const dynamic = "force-dynamic";

function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

async function readEntries(req: Request): Promise<unknown[]> {
  const type = mediaType(req);
  if (type !== "application/jwt" && type !== "application/json") {
    throw new AppError("invalid_request", 'Send one token as application/jwt or {"events": [...]} as application/json.');
  }
  const text = await readBodyText(req);
  if (type === "application/jwt") {
    const token = text.trim();
    if (!token) throw new AppError("invalid_request", "The application/jwt body is empty.");
    return [token];
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "Body is not valid JSON.");
  }
  const parsed = ZEventBatch.safeParse(body);
  if (!parsed.success) throw new AppError("invalid_request", 'Body must be an object {"events": [token, ...]}.');
  if (parsed.data.events.length > MAX_BATCH) {
    throw new AppError("invalid_request", `At most ${MAX_BATCH} events per request (got ${parsed.data.events.length}).`);
  }
  return parsed.data.events;
}

export const POST = apiRoute({ permission: "events:write" }, async ({ req, actor }) => {
  const admission = ingestAdmission();
  admission.noteAuthenticated(req.headers.get("authorization"));
  // Admitted by scripts/server.mjs on an estimate of its weight, or not yet.
  const earlyId = req.headers.get(ADMISSION_HEADER);
  try {
    const entries = await readEntries(req);
    const admitted = await admission.admit(earlyId, entries.length, () => ingestBatch(entries, { source: `${actor.kind}:${actor.id}` }));
    if (admitted === null) return ingestAtCapacity();
    const answer: TIngestResponse = { results: admitted.value };
    return json(answer);
  } finally {
    if (earlyId) admission.releaseEarly(earlyId);
  }
});
