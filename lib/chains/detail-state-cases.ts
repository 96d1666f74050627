// The chain detail rebuilt from what the last rebuild kept (detail-state.ts) against a read from
// scratch, byte for byte, through a sequence of changes made with the real registry and ingest:
// new events, a pending event resolved, a principal registered, a key revoked, a grant expiring at
// read time, a reference into another chain; both bodies (lean and with raw tokens). Run on SQLite
// (detail-state.sqlite.db.test.ts) and PostgreSQL (detail-state.postgres.db.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, registerActor, type TActor } from "@/lib/reports/test-fixtures";
import { mulberry32, signToken } from "@/lib/protocol/test-helpers";
import type { TEventVerdict } from "@/lib/protocol/types";

export function defineDetailStateTests(database: "sqlite" | "postgres"): void {
  let human: TActor;
  let planner: TActor;
  let analyst: TActor;
  let state: typeof import("./detail-state");
  let queries: typeof import("./queries");
  const t0 = Math.floor(Date.now() / 1000);
  const tag = `${database}-${t0.toString(36)}`;
  const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, iss: a.id, ...claims });

  beforeAll(async () => {
    state = await import("./detail-state");
    queries = await import("./queries");
    human = await registerActor(`user:state-human-${tag}`, "human");
    planner = await registerActor(`agent:state-planner-${tag}`, "agent");
    analyst = await registerActor(`agent:state-analyst-${tag}`, "agent");
  }, 120_000);

  /** The registry's part of the chain's stamp, as detail-cache.ts hands it to a rebuild. */
  async function registryOf(id: string) {
    const stamp = await (await (await import("@/lib/db")).stores()).chains.stamp(id);
    return stamp === null ? undefined : stamp.slice(stamp.indexOf("/") + 1);
  }

  /** Rebuilds both bodies from the kept state and compares each with a read from scratch at the same instant. */
  async function same(id: string, now = t0) {
    const registry = await registryOf(id);
    for (const includeRaw of [false, true]) {
      const kept = await state.rebuildChainDetail(id, { now, includeRaw, registry });
      const { detail, validUntil } = await queries.readChain(id, { now, includeRaw });
      expect(kept.json.toString("utf8")).toBe(JSON.stringify(detail));
      expect(kept.validUntil).toBe(validUntil);
    }
    return JSON.parse(
      (await state.rebuildChainDetail(id, { now, includeRaw: false, registry })).json.toString("utf8"),
    ) as import("@/lib/contracts/chains").TChainDetail;
  }

  /** A chain's authorize (human → planner, finance/*:read) and its delegate to the analyst (finance/q1/*:read). */
  const rootAndDelegate = (chain: string) => [
    sign(human, {
      kind: "authorize",
      jti: chain,
      chain,
      aud: planner.id,
      iat: t0 - 100,
      exp: t0 + 3600,
      scope: ["finance/*:read"],
      purpose: { code: "finance.reporting", text: "Q1" },
    }),
    sign(planner, {
      kind: "delegate",
      jti: `${chain}.d`,
      chain,
      parent: chain,
      aud: analyst.id,
      iat: t0 - 90,
      exp: t0 + 600,
      scope: ["finance/q1/*:read"],
      purpose: { code: "finance.reporting.q1", text: "Q1 revenue" },
    }),
  ];

  describe(`the chain detail kept between rebuilds (${database})`, () => {
    it("gives what a read from scratch gives after each change", async () => {
      state.dropDetailStates();
      const chain = `state-${tag}`;
      const late = `agent:state-late-${tag}`;
      await ingest(rootAndDelegate(chain));
      await same(chain);
      // From its second build on, the chain's state is kept: every later step rebuilds from it.
      await same(chain);
      expect(state.keptDetailStates()).toBe(1);

      // New events: an invoke under the delegate, and one more grant with its own invoke.
      await ingest([
        sign(analyst, {
          kind: "invoke",
          jti: `${chain}.i1`,
          chain,
          grant: `${chain}.d`,
          iat: t0 - 50,
          action: "finance/q1/revenue:read",
          resource: "db://q1/revenue",
        }),
        sign(planner, {
          kind: "delegate",
          jti: `${chain}.d2`,
          chain,
          parent: chain,
          aud: late,
          iat: t0 - 40,
          exp: t0 + 1800,
          scope: ["finance/q2/*:read", "payments/*:write"],
          purpose: { code: "finance.reporting.q2", text: "Q2 revenue" },
        }),
      ]);
      let detail = await same(chain);
      expect(detail.nodes.find((n) => n.id === late)?.kind).toBe("unregistered");
      expect(detail.hops.find((h) => h.jti === `${chain}.d2`)?.scopeAdded).toEqual(["payments/*:write"]);

      // A delegate whose parent has not arrived (pending), then its parent (accepted).
      const lateSigner = await registerActor(late, "agent", "Late Agent");
      await ingest([
        sign(lateSigner, {
          kind: "delegate",
          jti: `${chain}.d4`,
          chain,
          parent: `${chain}.d3`,
          aud: analyst.id,
          iat: t0 - 20,
          exp: t0 + 1200,
          scope: ["finance/q2/x/*:read"],
          purpose: { code: "finance.reporting.q2", text: "Q2 detail" },
        }),
      ]);
      // The principal registered since the last rebuild: its node has a kind and a name now.
      detail = await same(chain);
      expect(detail.nodes.find((n) => n.id === late)).toMatchObject({ kind: "agent", name: "Late Agent" });
      expect(detail.events.find((e) => e.jti === `${chain}.d4`)?.status).toBe("pending");
      await ingest([
        sign(planner, {
          kind: "delegate",
          jti: `${chain}.d3`,
          chain,
          parent: `${chain}.d2`,
          aud: late,
          iat: t0 - 30,
          exp: t0 + 1500,
          scope: ["finance/q2/*:read"],
          purpose: { code: "finance.reporting.q2", text: "Q2 revenue" },
        }),
      ]);
      detail = await same(chain);
      expect(detail.events.find((e) => e.jti === `${chain}.d4`)?.status).toBe("accepted");

      // A complete for the first delegate, an invoke pointing into another chain.
      const other = `state-other-${tag}`;
      await ingest([
        sign(human, {
          kind: "authorize",
          jti: other,
          chain: other,
          aud: analyst.id,
          iat: t0 - 100,
          exp: t0 + 3600,
          scope: ["hr/*:read"],
          purpose: { code: "hr.review", text: "HR" },
        }),
      ]);
      await ingest([
        sign(analyst, {
          kind: "complete",
          jti: `${chain}.done`,
          chain,
          grant: `${chain}.d`,
          iat: t0 - 10,
          status: "completed",
          result_hash: "sha256:" + "ab".repeat(32),
        }),
        sign(analyst, {
          kind: "invoke",
          jti: `${chain}.x`,
          chain,
          grant: other,
          iat: t0 - 5,
          action: "hr/people:read",
          resource: "db://hr/people",
        }),
      ]);
      detail = await same(chain);
      expect(detail.findings.some((f) => f.eventJti === `${chain}.x` && f.code === "unrooted")).toBe(true);

      // A key that signed in the chain revoked after the fact: no new event, a new rebuild.
      const { revokeKey } = await import("@/lib/principals/queries");
      await revokeKey(planner.id, planner.key.kid, t0 + 5);
      detail = await same(chain);
      expect(detail.events.find((e) => e.jti === `${chain}.d`)?.keyRevokedNow).toBe(t0 + 5);
      // Revoked again, earlier: the registry's stamp (revoked keys counted) does not move.
      const registry = await registryOf(chain);
      await revokeKey(planner.id, planner.key.kid, t0 + 2);
      expect(await registryOf(chain)).toBe(registry);
      detail = await same(chain);
      expect(detail.events.find((e) => e.jti === `${chain}.d`)?.keyRevokedNow).toBe(t0 + 2);

      // Read after the open grants' exp: read-time missing_evidence (the first delegate is closed).
      detail = await same(chain, t0 + 1900);
      const overdue = detail.findings.filter((f) => f.code === "missing_evidence").map((f) => f.eventJti);
      expect(overdue).toContain(`${chain}.d2`);
      expect(overdue).not.toContain(`${chain}.d`);
      expect(state.keptDetailStates()).toBe(1);
    });

    it.each([1, 2, 3])("gives what a read from scratch gives over a random sequence of appends, completions and revokes (seed %i)", async (seed) => {
      // Mostly invokes and completes under existing grants (the rebuild judges only them), with
      // now and then a revoke, a new grant, a wrongly signed or out-of-scope event, an event whose
      // grant comes later, and reads past a grant's exp: each rebuild equals a read from scratch.
      state.dropDetailStates();
      const rand = mulberry32(seed);
      const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
      const chain = `state-rand${seed}-${tag}`;
      const grants: { jti: string; aud: TActor; scope: string }[] = [{ jti: chain, aud: planner, scope: "finance" }];
      let n = 0;
      const delegate = (scope: string, exp: number) => {
        const jti = `${chain}.d${n++}`;
        return {
          grant: { jti, aud: analyst, scope },
          token: sign(planner, {
            kind: "delegate",
            jti,
            chain,
            parent: chain,
            aud: analyst.id,
            iat: t0 - 300 + n,
            exp,
            scope: [`${scope}/*:read`],
            purpose: { code: "finance.reporting", text: scope },
          }),
        };
      };
      const root = sign(human, {
        kind: "authorize",
        jti: chain,
        chain,
        aud: planner.id,
        iat: t0 - 400,
        exp: t0 + 3600,
        scope: ["finance/*:read"],
        purpose: { code: "finance.reporting", text: "Random" },
      });
      const first = delegate("finance/q1", t0 + 600);
      grants.push(first.grant);
      await ingest([root, first.token]);
      await same(chain);
      let pending: { grant: (typeof grants)[number]; token: string } | null = null;
      for (let step = 0; step < 14; step++) {
        const r = rand();
        const tokens: string[] = [];
        if (pending) {
          tokens.push(pending.token);
          grants.push(pending.grant);
          pending = null;
        } else if (r < 0.55) {
          for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
            const g = pick(grants);
            const signer = rand() < 0.2 ? human : g.aud;
            tokens.push(
              sign(signer, {
                kind: "invoke",
                jti: `${chain}.i${n++}`,
                chain,
                grant: g.jti,
                iat: t0 - 250 + n,
                action: rand() < 0.2 ? "hr/people:read" : `${g.scope}/x:read`,
                resource: `db://${g.scope}/x`,
              }),
            );
          }
        } else if (r < 0.75) {
          const g = pick(grants);
          tokens.push(
            sign(rand() < 0.2 ? human : g.aud, {
              kind: "complete",
              jti: `${chain}.c${n++}`,
              chain,
              grant: g.jti,
              iat: t0 - 250 + n,
              status: "completed",
              result_hash: "sha256:" + "cd".repeat(32),
            }),
          );
        } else if (r < 0.85) {
          tokens.push(sign(planner, { kind: "revoke", jti: `${chain}.r${n++}`, chain, target: pick(grants.slice(1)).jti, iat: t0 - 250 + n }));
        } else if (r < 0.93) {
          const d = delegate(`finance/q${n}`, t0 + 900);
          grants.push(d.grant);
          tokens.push(d.token);
        } else {
          // An invoke under a grant that arrives at the next step (pending, then resolved).
          pending = delegate(`finance/p${n}`, t0 + 1200);
          tokens.push(
            sign(analyst, {
              kind: "invoke",
              jti: `${chain}.i${n++}`,
              chain,
              grant: pending.grant.jti,
              iat: t0 - 250 + n,
              action: `${pending.grant.scope}/x:read`,
              resource: "db://p",
            }),
          );
        }
        await ingest(tokens);
        await same(chain, rand() < 0.25 ? t0 + 700 : t0);
      }
      expect(state.keptDetailStates()).toBe(1);
    });

    it("reads again the keys of an issuer that signed with a kid it has no key for, the registry's stamp unchanged", async () => {
      // Ingest refuses an unknown kid, so a stored event's key exists; the rebuild still re-reads the
      // keys of an issuer whose event names a kid with no key row. Made here by moving the row away
      // and back, which keeps the stamp's counts (as a key added for that kid later would).
      state.dropDetailStates();
      const chain = `state-kid-${tag}`;
      const signer = await registerActor(`agent:state-kid-${tag}`, "agent");
      await ingest([
        sign(human, {
          kind: "authorize",
          jti: chain,
          chain,
          aud: signer.id,
          iat: t0 - 100,
          exp: t0 + 3600,
          scope: ["finance/*:read"],
          purpose: { code: "finance.reporting", text: "Kid" },
        }),
        sign(signer, { kind: "invoke", jti: `${chain}.i`, chain, grant: chain, iat: t0 - 50, action: "finance/x:read", resource: "db://x" }),
      ]);
      const { prisma } = await (await import("@/lib/db")).database();
      const move = (from: string, to: string) =>
        prisma.principalKey.update({ where: { principalId_kid: { principalId: signer.id, kid: from } }, data: { kid: to } });
      await move(signer.key.kid, `${signer.key.kid}-away`);
      const registry = await registryOf(chain);
      await same(chain);
      let detail = await same(chain);
      expect(state.keptDetailStates()).toBe(1);
      expect(detail.events.find((e) => e.jti === `${chain}.i`)?.keyThumbprint).toBeNull();
      await move(`${signer.key.kid}-away`, signer.key.kid);
      expect(await registryOf(chain)).toBe(registry);
      detail = await same(chain);
      expect(detail.events.find((e) => e.jti === `${chain}.i`)?.keyThumbprint).not.toBeNull();
    });

    it("hands out a kept hop or completion only while every part it shows reads the same", async () => {
      // The sequences above rarely change a grant's depth, revocation, effective constraints or scope
      // difference, or a complete's attestation, without changing its event too (whose new object
      // makes a new hop anyway). Here each is changed alone in the check's answer given to the
      // assembly, with the same event objects: the hop (or completion) must be written anew.
      const { stores } = await import("@/lib/db");
      const detail = await import("./detail");
      const { chainInputsFrom } = await import("./load");
      const { checkAnyChain } = await import("@/lib/protocol/any-chain");
      const chain = `state-hop-${tag}`;
      await ingest([
        ...rootAndDelegate(chain),
        sign(analyst, {
          kind: "invoke",
          jti: `${chain}.i`,
          chain,
          grant: `${chain}.d`,
          iat: t0 - 50,
          action: "finance/q1/revenue:read",
          resource: "db://q1/revenue",
        }),
        sign(analyst, {
          kind: "complete",
          jti: `${chain}.c`,
          chain,
          grant: `${chain}.d`,
          iat: t0 - 10,
          status: "completed",
          result_hash: "sha256:" + "ab".repeat(32),
        }),
      ]);
      const rows = await (await stores()).chains.detailRows(chain);
      const events = detail.prepareDetailEvents(rows.events);
      const input = chainInputsFrom([chain], events, rows.externalRows, rows.principals).get(chain)!;
      const analysis = checkAnyChain(input);
      type TAnalysis = typeof analysis;
      type TScopeDiffs = import("./detail").TScopeDiffMemo;
      const memo = detail.createChainDetailMemo();
      const diffs: TScopeDiffs = new WeakMap();
      const text = (a: TAnalysis, m: typeof memo | undefined, scopeDiffs: TScopeDiffs) =>
        JSON.stringify(
          detail.assembleChainDetail(chain, { ...rows, events, input, analysis: a }, { now: t0, includeRaw: false, memo: m, scopeDiffs }).detail,
        );
      const changed = (jti: string, change: Partial<TEventVerdict>): TAnalysis => {
        const verdicts = new Map(analysis.events);
        verdicts.set(jti, { ...verdicts.get(jti)!, ...change });
        return { ...analysis, events: verdicts };
      };
      const first = text(analysis, memo, diffs);
      expect(text(analysis, memo, diffs)).toBe(first);
      const variants: [string, TAnalysis][] = [
        ["depth", changed(`${chain}.d`, { depth: 7 })],
        ["revokedAt", changed(`${chain}.d`, { revokedAt: t0 - 1 })],
        ["effectiveConstraints", changed(`${chain}.d`, { effectiveConstraints: { data: ["pii"] } })],
        [
          "attestation",
          changed(`${chain}.c`, { attestation: analysis.events.get(`${chain}.c`)!.attestation === "third_party" ? "self_reported" : "third_party" }),
        ],
      ];
      for (const [what, a] of variants) {
        const fresh = text(a, undefined, diffs);
        expect(fresh, what).not.toBe(first);
        expect(text(a, memo, diffs), what).toBe(fresh);
        // and back to the first answer from the memo
        expect(text(analysis, memo, diffs), what).toBe(first);
      }
      // A scope difference that reads otherwise (as when the parent's claims arrive later).
      // (keyed by the hop's claims, as the assembly has them, with its parent's claims from the checker's input)
      const hopClaims = events.find((e) => e.jti === `${chain}.d`)!.claims;
      const parentClaims = input.events.find((e) => e.jti === chain)!.claims;
      const real = diffs.get(hopClaims)!.diff;
      for (const diff of [
        { removed: ["x/*:read"], added: real.added },
        { removed: real.removed, added: ["y/*:read"] },
      ]) {
        const otherDiffs: TScopeDiffs = new WeakMap();
        otherDiffs.set(hopClaims, { parent: parentClaims, diff });
        const fresh = text(analysis, undefined, otherDiffs);
        expect(fresh).not.toBe(first);
        expect(text(analysis, memo, otherDiffs)).toBe(fresh);
        expect(text(analysis, memo, diffs)).toBe(first);
      }
      expect(text(analysis, memo, diffs)).toBe(first);
    });

    it("is 404 for a chain that does not exist, and keeps nothing for it", async () => {
      state.dropDetailStates();
      for (let i = 0; i < 2; i++)
        await expect(state.rebuildChainDetail(`state-none-${tag}`, { now: t0, includeRaw: false })).rejects.toMatchObject({ code: "not_found" });
      expect(state.keptDetailStates()).toBe(0);
    });
  });
}
