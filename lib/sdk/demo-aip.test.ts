// The AIP demo stories against the pure core: the document must be accepted in the reference's
// python form, the clean chain judged clean by both verifiers, the swapped one valid for AIP and a
// principal_mismatch for Delegraph.
import { describe, expect, it } from "vitest";
import { importAipToken, judgeIdentityDocument, type TAipIdentity, type TAipTokenResult } from "@/lib/protocol/aip";
import type { DelegraphClient } from "@delegraph/sdk";
import { AIP_DEMO_ROOT, seedAipDemo } from "./demo-aip";

const NOW = 1_790_000_000;

function fakeClient(registered: Set<string>) {
  const identities = new Map<string, TAipIdentity>();
  const forms: string[] = [];
  const client = {
    registerAipIdentity: (document: unknown, kind: "human") => {
      const j = judgeIdentityDocument(document, NOW);
      if (!j.ok) throw new Error(j.reason);
      forms.push(j.signatureForm);
      if (registered.has(j.id)) return Promise.resolve({ created: false });
      identities.set(j.id, { id: j.id, kind, keys: j.keys });
      return Promise.resolve({ created: true });
    },
    sendAip: async (entries: string[]): Promise<TAipTokenResult[]> => {
      const out: TAipTokenResult[] = [];
      for (const t of entries)
        out.push((await importAipToken(t, {}, { now: NOW, resolveIdentity: (id) => identities.get(id), isStored: () => false })).result);
      return out;
    },
  };
  return { client: client as unknown as DelegraphClient, forms };
}

describe("the AIP demo stories", () => {
  it("a clean chained delegation and a swapped delegator, in the reference's formats", async () => {
    const { client, forms } = fakeClient(new Set());
    const summary = await seedAipDemo(client, NOW);
    expect(summary.skipped).toBeNull();
    expect(forms).toEqual(["python"]);
    const [clean, swapped] = summary.stories.map((s) => s.result!);
    expect(clean).toMatchObject({ mode: "chained", status: "accepted", aip: { verdict: "valid" } });
    expect(clean.events).toHaveLength(4);
    expect(clean.findings).toEqual([]);
    expect(swapped).toMatchObject({ status: "accepted", aip: { verdict: "valid" } });
    expect(swapped.findings.map((f) => f.code)).toContain("principal_mismatch");
  });

  it("skips, saying why, when the root identity is already registered with a key it does not hold", async () => {
    const { client } = fakeClient(new Set([AIP_DEMO_ROOT]));
    const summary = await seedAipDemo(client, NOW);
    expect(summary.stories).toEqual([]);
    expect(summary.skipped).toContain(AIP_DEMO_ROOT);
  });
});
