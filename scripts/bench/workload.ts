// What the benchmarks store: signed events shaped like a real deployment's, generated on the fly.
//
// - Background chains (`smallChain`): 10 events each — a human authorizes a planner, which
//   delegates narrower read and write authority to two workers; one worker delegates on to a tool;
//   the tool and a worker invoke; every grant is closed by a `complete`. One chain in 20 carries a
//   scope escalation (violation), one in 20 has expired with no evidence (read-time warning) and one
//   in 50 is missing its root (pending). Principals come from fixed pools, scopes and purposes from
//   a bounded vocabulary (20 departments x 500 projects), as they would in one organisation.
// - Tree chains (`treeChain`): one human root and a fan-out tree of delegations, each hop to a new
//   agent, with an invoke (and a complete) on each leaf when asked: the 10/100/1,000-hop chains read
//   by the chain-detail benchmark and the 100/1,000/5,000-node chains drawn by the graph benchmark.
import { createHash } from "node:crypto";
import { principal, sign, type TBenchClaims, type TBenchPrincipal } from "./tokens";

export const SMALL_CHAIN_EVENTS = 10;
const DEPARTMENTS = 20;
const PROJECTS = 500;

export type TPopulation = { humans: TBenchPrincipal[]; agents: TBenchPrincipal[]; tools: TBenchPrincipal[] };

export function population(size: { humans: number; agents: number; tools: number }): TPopulation {
  return {
    humans: Array.from({ length: size.humans }, (_, i) => principal(`user:u${i}@corp.example`, "human")),
    agents: Array.from({ length: size.agents }, (_, i) => principal(`agent:a${i}`, "agent")),
    tools: Array.from({ length: size.tools }, (_, i) => principal(`tool:t${i}`, "tool")),
  };
}

export function allPrincipals(pop: TPopulation): TBenchPrincipal[] {
  return [...pop.humans, ...pop.agents, ...pop.tools];
}

const resultHash = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

/** Chain number n's ten tokens, parents first. Ids are `c<n>` (the root) and `c<n>.<k>`. */
export function smallChain(n: number, pop: TPopulation, now: number): string[] {
  return smallChainClaims(n, pop, now).map(({ claims, signer }) => sign(claims, signer));
}

/**
 * smallChain's claims and signers, unsigned: for benchmarks that store rows directly
 * (scripts/bench/least-privilege.ts), where signing a million tokens would be most of the run.
 */
export function smallChainClaims(n: number, pop: TPopulation, now: number): { claims: TBenchClaims; signer: TBenchPrincipal }[] {
  const pick = <T>(list: T[], salt: number) => list[(n * 7919 + salt * 104729) % list.length];
  const human = pick(pop.humans, 1);
  const planner = pick(pop.agents, 2);
  const reader = pick(pop.agents, 3);
  const writer = pick(pop.agents, 4);
  const tool = pick(pop.tools, 5);
  const d = n % DEPARTMENTS;
  const p = (n * 31) % PROJECTS;
  const base = `d${d}/p${p}`;
  const chain = `c${n}`;
  const isExpired = n % 20 === 7;
  const isEscalation = n % 20 === 13;
  const isOrphaned = n % 50 === 29;
  const iat = now - 7200 + (n % 3600);
  const exp = isExpired ? now - 60 : now + 30 * 86400;
  const purpose = { code: `ops.d${d}`, text: `Quarterly figures for department ${d}, project ${p}` };
  const task = { code: `ops.d${d}.p${p}`, text: `Collect and publish project ${p} figures` };
  const common = (k: number, iss: TBenchPrincipal, dt: number) => ({ jti: k === 0 ? chain : `${chain}.${k}`, iss: iss.id, iat: iat + dt, chain });

  const tokens: { claims: TBenchClaims; signer: TBenchPrincipal }[] = [];
  const put = (claims: TBenchClaims, signer: TBenchPrincipal) => tokens.push({ claims, signer });
  if (!isOrphaned) {
    put(
      { ...common(0, human, 0), kind: "authorize", aud: planner.id, scope: [`${base}/*:read`, `${base}/*:write`], purpose, exp, max_depth: 3 },
      human,
    );
  }
  put({ ...common(1, planner, 1), kind: "delegate", parent: chain, aud: reader.id, scope: [`${base}/*:read`], purpose: task, exp }, planner);
  put(
    {
      ...common(2, planner, 2),
      kind: "delegate",
      parent: chain,
      aud: writer.id,
      scope: isEscalation ? [`d${d}/*:write`] : [`${base}/out:write`],
      purpose: task,
      exp,
    },
    planner,
  );
  put({ ...common(3, reader, 3), kind: "delegate", parent: `${chain}.1`, aud: tool.id, scope: [`${base}/ledger:read`], purpose: task, exp }, reader);
  put(
    {
      ...common(4, tool, 4),
      kind: "invoke",
      grant: `${chain}.3`,
      action: `${base}/ledger:read`,
      resource: `warehouse://${base}/ledger`,
      purpose: task.code,
    },
    tool,
  );
  put(
    {
      ...common(5, writer, 5),
      kind: "invoke",
      grant: `${chain}.2`,
      action: `${base}/out:write`,
      resource: `s3://reports/${base}/q.pdf`,
      purpose: task.code,
    },
    writer,
  );
  if (!isExpired) {
    const done = (k: number, grant: string, signer: TBenchPrincipal) =>
      put({ ...common(k, signer, k), kind: "complete", grant, status: "completed", result_hash: resultHash(`${chain}:${k}`) }, signer);
    done(6, `${chain}.3`, tool);
    done(7, `${chain}.2`, writer);
    done(8, `${chain}.1`, reader);
    done(9, chain, planner);
  }
  return tokens;
}

export type TTreeChain = {
  chainId: string;
  principals: TBenchPrincipal[];
  tokens: string[];
  hops: number;
  nodes: number;
  /** the k-th invoke more by the last agent under its own grant: a change to the chain */
  laterInvoke: (k: number) => string;
};

/**
 * A human root and `hops - 1` delegations in a tree of the given fan-out, each to a new agent named
 * `agent:<id>.<i>`. With `leaves`, each leaf grant also gets an invoke on its own resource and a
 * complete. Nodes in the graph: hops + 1 principals, plus one resource per leaf with `leaves`.
 */
export function treeChain(id: string, hops: number, now: number, options: { fanout?: number; leaves?: boolean } = {}): TTreeChain {
  const fanout = options.fanout ?? 8;
  const human = principal(`user:${id}@corp.example`, "human");
  const agents = Array.from({ length: hops }, (_, i) => principal(`agent:${id}.${i}`, "agent"));
  const exp = now + 30 * 86400;
  const iat = now - 3600;
  const tokens: string[] = [];
  const scopeOf: string[] = [];
  const jtiOf = (i: number) => (i === 0 ? id : `${id}.${i}`);
  const purpose = { code: "bench.tree", text: `Fan-out analysis ${id}` };
  for (let i = 0; i < hops; i++) {
    const parent = i === 0 ? -1 : Math.floor((i - 1) / fanout);
    scopeOf[i] = i === 0 ? `${id}/*` : `${scopeOf[parent].slice(0, -2)}/s${(i - 1) % fanout}/*`;
    const common = { jti: jtiOf(i), iat, chain: id, aud: agents[i].id, scope: [`${scopeOf[i]}:read`], purpose, exp };
    tokens.push(
      i === 0
        ? sign({ ...common, iss: human.id, kind: "authorize", max_depth: 12 }, human)
        : sign({ ...common, iss: agents[parent].id, kind: "delegate", parent: jtiOf(parent) }, agents[parent]),
    );
  }
  let leafCount = 0;
  if (options.leaves) {
    for (let i = 0; i < hops; i++) {
      if (i * fanout + 1 < hops) continue; // has children
      leafCount++;
      const who = agents[i];
      const path = scopeOf[i].slice(0, -2);
      tokens.push(
        sign(
          {
            jti: `${id}.i${i}`,
            iss: who.id,
            iat: iat + 60,
            chain: id,
            kind: "invoke",
            grant: jtiOf(i),
            action: `${path}/x:read`,
            resource: `warehouse://${path}/x`,
          },
          who,
        ),
        sign(
          {
            jti: `${id}.c${i}`,
            iss: who.id,
            iat: iat + 120,
            chain: id,
            kind: "complete",
            grant: jtiOf(i),
            status: "completed",
            result_hash: resultHash(`${id}:${i}`),
          },
          who,
        ),
      );
    }
  }
  const last = hops - 1;
  const laterInvoke = (k: number) => {
    const path = scopeOf[last].slice(0, -2);
    return sign(
      {
        jti: `${id}.later${k}`,
        iss: agents[last].id,
        iat: iat + 180 + k,
        chain: id,
        kind: "invoke",
        grant: jtiOf(last),
        action: `${path}/later:read`,
        resource: `warehouse://${path}/later`,
      },
      agents[last],
    );
  };
  return { chainId: id, principals: [human, ...agents], tokens, hops, nodes: hops + 1 + leafCount, laterInvoke };
}

/** Consecutive slices of at most `size` (parents stay ahead of their children). */
export function slices<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Chains numbered from `first`, as one stream of tokens cut into batches of exactly `size`
 * (a chain may straddle two batches). `interleaved`: the chains' events arrive round-robin, as
 * from many agents working at once, so each batch carries one event of each of `size` chains and
 * every chain is re-checked once per event. `next` is the first chain number not used.
 */
export function chainBatches(
  first: number,
  events: number,
  size: number,
  pop: TPopulation,
  now: number,
  interleaved = false,
): { batches: string[][]; next: number } {
  const chains: string[][] = [];
  let total = 0;
  let n = first;
  for (; total < events; n++) {
    const c = smallChain(n, pop, now);
    chains.push(c);
    total += c.length;
  }
  const stream: string[] = [];
  if (interleaved) {
    for (let group = 0; group < chains.length; group += size) {
      const part = chains.slice(group, group + size);
      for (let k = 0; k < SMALL_CHAIN_EVENTS; k++) for (const c of part) if (k < c.length) stream.push(c[k]);
    }
  } else {
    for (const c of chains) stream.push(...c);
  }
  return { batches: slices(stream.slice(0, events), size), next: n };
}
