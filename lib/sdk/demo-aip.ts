// Two AIP stories for the demo (docs/aip.md), minted in the AIP reference implementation's exact
// formats (an identity document signed in its `python` form, chained Biscuit tokens with its
// Datalog shapes) and sent through POST /api/v1/aip/tokens like any AIP client would:
//   1. a clean chained delegation, closed by a completion block: both verifiers accept it;
//   2. the same start, then a block whose delegator was swapped mid-chain: AIP's verifier says
//      valid, Delegraph says principal_mismatch.
// The root identity is registered once per server: when it already exists (a second seeding),
// its key is not ours and the stories are skipped, said in the result.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import type { DelegraphClient } from "@delegraph/sdk";
import type { TAipTokenResult } from "@/lib/contracts/aip";
import {
  appendBlock,
  authoritySource,
  completionSource,
  delegationSource,
  loadBiscuit,
  mintAuthority,
  rfc3339Seconds,
} from "@/lib/protocol/aip/biscuit";
import { encodeMultibase } from "@/lib/protocol/aip/encoding";
import { pythonSigningInput } from "@/lib/protocol/aip/identity";

export const AIP_DEMO_ROOT = "aip:web:harbor-logistics.example/priya.nair";
const RESEARCH = "aip:web:agents.harbor-logistics.example/research";
const REPORTER = "aip:web:agents.harbor-logistics.example/reporter";
const MAILER = "aip:web:agents.harbor-logistics.example/mailer";
const OUTSIDER = "aip:web:partner-bots.example/bulk-mailer";

export type TAipDemoStory = {
  id: "aip-clean-delegation" | "aip-swapped-delegator";
  title: string;
  chain: string | null;
  result: TAipTokenResult | null;
};
export type TAipDemoSummary = { skipped: string | null; stories: TAipDemoStory[] };

export async function seedAipDemo(client: DelegraphClient, now: number): Promise<TAipDemoSummary> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32));
  const pub = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32));
  const document: Record<string, unknown> = {
    aip: "1.0",
    id: AIP_DEMO_ROOT,
    name: "Priya Nair, Operations Lead",
    public_keys: [{ id: "key-1", type: "Ed25519", public_key_multibase: encodeMultibase(pub), valid_from: rfc3339Seconds(now - 30 * 86_400) }],
    delegation: { max_depth: 3 },
    protocols: ["mcp", "a2a"],
  };
  document.document_signature = sign(null, Buffer.from(pythonSigningInput(document), "utf8"), privateKey).toString("base64");
  const { created } = await client.registerAipIdentity(document, "human", { ifMissing: true });
  if (!created) return { skipped: `${AIP_DEMO_ROOT} is already registered with a key this run does not hold`, stories: [] };

  const b = await loadBiscuit();
  const expires = rfc3339Seconds(now + 8 * 3600);
  const root = authoritySource({
    identity: AIP_DEMO_ROOT,
    scopes: ["crm:read*", "mail:draft", "reports:write"],
    maxDepth: 3,
    expires,
    budgetCents: 5000,
  });
  const toResearch = delegationSource({
    delegator: AIP_DEMO_ROOT,
    delegate: RESEARCH,
    context: "Summarise this week's delayed shipments for the Monday review",
    scopes: ["crm:read:shipments", "reports:write"],
    budgetCents: 2000,
  });
  const mint = (blocks: string[]) => {
    let token = mintAuthority(b, seed, blocks[0]);
    for (const s of blocks.slice(1)) token = appendBlock(b, token, pub, s);
    return token;
  };
  const digest = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

  const clean = mint([
    root,
    toResearch,
    delegationSource({
      delegator: RESEARCH,
      delegate: REPORTER,
      context: "Draft the delay report from the summary",
      scopes: ["reports:write"],
      budgetCents: 500,
    }),
    completionSource({
      context: "report drafted",
      status: "completed",
      resultHash: digest("delay report, week 48"),
      verificationStatus: "self_reported",
      tokensUsed: 18_400,
      durationMs: 42_000,
    }),
  ]);
  const swapped = mint([
    root,
    toResearch,
    // The research agent's authority, re-delegated in the name of the mail agent, which never held it.
    delegationSource({
      delegator: MAILER,
      delegate: OUTSIDER,
      context: "Send the delay notices to every customer",
      scopes: ["crm:read:shipments"],
      budgetCents: 1500,
    }),
  ]);
  const [a, c] = await client.sendAip([clean, swapped]);
  return {
    skipped: null,
    stories: [
      { id: "aip-clean-delegation", title: "AIP: a clean chained delegation", chain: a.chain ?? null, result: a },
      { id: "aip-swapped-delegator", title: "AIP: a delegator swapped mid-chain (AIP says valid)", chain: c.chain ?? null, result: c },
    ],
  };
}
