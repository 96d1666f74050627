// The HTTP server `npm start` runs: Next's request handler behind a thin layer that only this
// process can write, for two facts a route handler cannot learn from `next start`:
//
// - who is on the other end of the socket. Next fills in X-Forwarded-For from the socket only when
//   the client sent none, so a client could name any address and rotate it to dodge the sign-in
//   limits. `x-delegraph-peer` carries the socket's address; lib/auth/client-address.ts trusts
//   X-Forwarded-For only from the proxies DELEGRAPH_TRUSTED_PROXIES names.
// - whether the path is well-formed. A path segment that is not UTF-8 percent-encoding made Next
//   answer a plain-text 500 before any route ran. Such a segment is passed on with its `%` escaped
//   (so it reaches the route as literal text) and `x-delegraph-bad-path` set: API routes answer 400
//   in the error envelope after authentication (lib/api-route.ts), pages show "not found".
//
// It also refuses a POST /api/v1/events at once (503, Retry-After) while the ingest's queue is full
// and the request's credentials were authenticated by the ingest moments ago
// (lib/ingest/admission.ts): through Next a refusal costs milliseconds of the main thread, and
// producers coming back every second would spend the server's capacity on refusals alone.
//
// Headers named x-delegraph-* are this layer's: whatever a client sent under those names is dropped.
// Plain JavaScript, so Node runs it without a TypeScript loader (scripts/start.sh execs it).
import { createServer } from "node:http";
import next from "next";
import { API_HEADERS } from "../lib/api-headers.mjs";

export const PEER_HEADER = "x-delegraph-peer";
export const BAD_PATH_HEADER = "x-delegraph-bad-path";

/** The path with every segment that does not decode escaped to literal text, or null when all decode. */
export function repairPath(path) {
  let repaired = null;
  const segments = path.split("/");
  for (let i = 0; i < segments.length; i++) {
    try {
      decodeURIComponent(segments[i]);
    } catch {
      segments[i] = segments[i].replaceAll("%", "%25");
      repaired = true;
    }
  }
  return repaired ? segments.join("/") : null;
}

export function prepareRequest(req) {
  for (const name of Object.keys(req.headers)) if (name.startsWith("x-delegraph-")) delete req.headers[name];
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const repaired = repairPath(path);
  if (repaired !== null) {
    req.url = repaired + (q < 0 ? "" : url.slice(q));
    req.headers[BAD_PATH_HEADER] = "1";
  }
}

const INGEST_ADMISSION = Symbol.for("delegraph.ingestAdmission");
export const ADMISSION_HEADER = "x-delegraph-admission";

/**
 * Admission before Next for POST /api/v1/events (lib/ingest/admission.ts): refused at once (true),
 * or admitted on an estimate of its weight (its ticket's id in ADMISSION_HEADER, released when the
 * answer is sent), or left to the route (credentials not seen lately; false either way).
 */
export function admitIngestEarly(req, res) {
  if (req.method !== "POST") return false;
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  if ((q < 0 ? url : url.slice(0, q)) !== "/api/v1/events") return false;
  const admission = globalThis[INGEST_ADMISSION];
  if (!admission) return false;
  const early = admission.admitEarly(req.headers.authorization, req.headers["content-length"]);
  if (early === "pass") return false;
  if (early !== "refuse") {
    req.headers[ADMISSION_HEADER] = early.id;
    res.on("close", () => admission.releaseEarly(early.id));
    return false;
  }
  const body = JSON.stringify({ error: { code: "service_unavailable", message: admission.atCapacityMessage } });
  const answer = () => {
    if (res.headersSent) return;
    res.writeHead(503, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "retry-after": String(admission.retryAfterSeconds),
      "cache-control": "no-store",
      ...Object.fromEntries(API_HEADERS.map((h) => [h.key, h.value])),
    });
    res.end(body);
  };
  // The body is read to its end (and dropped) before answering: a client still sending it when the
  // answer came and the connection closed would see a failed send instead of the 503.
  req.on("end", answer);
  req.on("error", () => res.destroy());
  req.resume();
  return true;
}

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const hostname = process.env.HOSTNAME ?? "127.0.0.1";
  process.title = "next-server (delegraph)";
  const app = next({ dev: false, dir: process.cwd(), hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer(async (req, res) => {
    try {
      prepareRequest(req);
      if (admitIngestEarly(req, res)) return;
      await handle(req, res);
    } catch (error) {
      console.error("[delegraph] request failed", error);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ error: { code: "internal", message: "Internal error." } }));
      } else res.destroy();
    }
  });
  server.keepAliveTimeout = 65_000;
  server.on("error", (error) => {
    console.error("[delegraph] the server could not start:", error.message);
    process.exit(1);
  });
  server.listen(port, hostname, () => console.log(`[delegraph] listening on http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`));
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
