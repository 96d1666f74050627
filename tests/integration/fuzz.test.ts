// Hostile input: thousands of malformed or mutated requests, none of which may produce a 5xx.
// Deterministic (seeded) so a failure can be replayed.
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { authorizeClaims, delegateClaims, post, register, signToken, type TPrincipal } from "./helpers";
import { mulberry32 } from "@/lib/protocol/test-helpers";

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  3.14,
  "",
  " ",
  "\u0000",
  "\ud800",
  "💥",
  "<script>alert(1)</script>",
  "a".repeat(5000),
  [],
  [[]],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: {} } },
  "Bearer x",
  "../../etc/passwd",
  "%00",
  "' OR 1=1 --",
  NaN,
  "2026-13-45",
  "1e999",
];

function mutateString(s: string, r: () => number): string {
  const chars = [...s];
  const ops = 1 + Math.floor(r() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (chars.length + 1));
    const op = Math.floor(r() * 4);
    const ch = String.fromCharCode(Math.floor(r() * 0x7f));
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, ch);
    else if (op === 2) chars[at] = ch;
    else chars.splice(at, Math.floor(r() * 20));
  }
  return chars.join("");
}

function mutateValue(v: unknown, r: () => number, depth = 0): unknown {
  if (r() < 0.25 || depth > 4) return WEIRD_VALUES[Math.floor(r() * WEIRD_VALUES.length)];
  if (typeof v === "string") return mutateString(v, r);
  if (Array.isArray(v)) return v.map((x) => (r() < 0.5 ? mutateValue(x, r, depth + 1) : x));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (r() < 0.1) continue;
      out[r() < 0.05 ? mutateString(k, r) : k] = r() < 0.4 ? mutateValue(x, r, depth + 1) : x;
    }
    return out;
  }
  return WEIRD_VALUES[Math.floor(r() * WEIRD_VALUES.length)];
}

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : (JSON.stringify(v) ?? "null")).toString("base64url");

let human: TPrincipal;
let agent: TPrincipal;
let worker: TPrincipal;

beforeAll(async () => {
  [human, agent, worker] = await Promise.all([register("human"), register("agent"), register("agent")]);
});

async function send(method: string, path: string, body: string | undefined, contentType: string, token: string | null = inject("apiToken")) {
  const headers: Record<string, string> = { "content-type": contentType };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(inject("serverUrl") + path, { method, headers, body: method === "GET" ? undefined : body });
  const text = await res.text();
  return { status: res.status, text };
}

describe("hostile input never produces a 5xx", () => {
  it("mutated event tokens and batches", async () => {
    const r = mulberry32(20261127);
    const root = authorizeClaims(human.id, agent.id);
    const hop = delegateClaims(root, agent.id, worker.id);
    await post([signToken(root, human.key)]);
    const failures: string[] = [];
    for (let i = 0; i < 1500; i++) {
      let entries: unknown[];
      const pick = r();
      if (pick < 0.35) {
        // A structurally plausible token whose claims are mutated, re-signed by a real key.
        const claims = mutateValue({ ...hop, jti: `fz-${i}` }, r) as Record<string, unknown>;
        entries = [signToken(typeof claims === "object" && claims ? claims : { x: claims }, agent.key)];
      } else if (pick < 0.55) {
        entries = [mutateString(signToken({ ...hop, jti: `fzm-${i}` }, agent.key), r)];
      } else if (pick < 0.75) {
        const header = mutateValue({ alg: "EdDSA", typ: "dep+jwt", kid: agent.key.kid }, r);
        entries = [`${b64(header)}.${b64(mutateValue(hop, r))}.${b64(mutateString("sig", r))}`];
      } else {
        entries = Array.from({ length: 1 + Math.floor(r() * 5) }, () => WEIRD_VALUES[Math.floor(r() * WEIRD_VALUES.length)]);
      }
      const res = await send("POST", "/api/v1/events", JSON.stringify({ events: entries }), "application/json");
      if (res.status >= 500) failures.push(`#${i} ${res.status} ${JSON.stringify(entries).slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
  });

  it("mutated bodies, content types and query strings on every route", async () => {
    const r = mulberry32(42);
    const routes: [string, string][] = [
      ["POST", "/api/v1/events"],
      ["POST", "/api/v1/principals"],
      ["POST", `/api/v1/principals/${encodeURIComponent(agent.id)}/keys/${agent.key.kid}x/revoke`],
      ["POST", "/api/v1/tokens"],
      ["POST", "/api/v1/users"],
      ["POST", "/api/auth/sign-in"],
      ["GET", "/api/v1/chains"],
      ["GET", "/api/v1/findings"],
      ["GET", "/api/v1/quarantine"],
      ["GET", "/api/v1/principals"],
      ["GET", "/api/v1/investigate/principal"],
      ["GET", "/api/v1/investigate/resource"],
      ["GET", "/api/v1/audit"],
      ["GET", `/api/v1/chains/${encodeURIComponent("x%zz")}`],
    ];
    const types = ["application/json", "application/jwt", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""];
    const seeds = [
      { events: ["a.b.c"] },
      { id: "agent:x", kind: "agent", keys: [{ kty: "OKP", crv: "Ed25519", x: "AAAA", kid: "k" }] },
      { name: "t", role: "viewer" },
      { email: "a@b.c", password: "password1", role: "viewer" },
      { at: 5 },
    ];
    const params = ["status", "principal", "scope", "purpose", "finding", "since", "until", "q", "cursor", "limit", "code", "severity", "resource"];
    const failures: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const [method, path] = routes[Math.floor(r() * routes.length)];
      const type = types[Math.floor(r() * types.length)];
      const body =
        r() < 0.5
          ? JSON.stringify(mutateValue(seeds[Math.floor(r() * seeds.length)], r))
          : mutateString(JSON.stringify(seeds[Math.floor(r() * seeds.length)]), r);
      const qs = new URLSearchParams();
      for (let j = 0; j < 3; j++)
        qs.set(params[Math.floor(r() * params.length)], mutateString(String(WEIRD_VALUES[Math.floor(r() * WEIRD_VALUES.length)]), r));
      const res = await send(method, `${path}${path.includes("?") ? "&" : "?"}${qs}`, body, type);
      if (res.status >= 500) failures.push(`${method} ${path}?${qs.toString().slice(0, 120)} ${type} ${res.status} ${body.slice(0, 80)}`);
    }
    expect(failures).toEqual([]);
  });
});
