// The six demo stories `npm start` seeds on an empty database (lib/sdk/demo.ts), as newcomers meet
// them: each story's human is a fixed principal, so a chain rooted at one of them is demo data.
// Mirrors DEMO_PRINCIPALS' humans; lib/ui/demo.test.ts keeps the two in step.

export type TDemoStoryCard = { human: string; title: string; lookFor: string };

export const DEMO_STORY_CARDS: readonly TDemoStoryCard[] = [
  {
    human: "user:maria.chen@treasury.example",
    title: "Treasury reporting",
    lookFor: "A clean chain: each agent gets less than its parent, and every grant closes with attested evidence.",
  },
  {
    human: "user:daniel.okafor@northwind.example",
    title: "Least-privilege payment",
    lookFor: "A payment run narrowed to one vendor and one instruction, signed with a P-256 platform key.",
  },
  {
    human: "user:lena.fischer@acme-finance.example",
    title: "Ghost permission",
    lookFor: "A summarizer reads customer transactions no grant ever gave it.",
  },
  {
    human: "user:sofia.alvarez@meridian.bank.example",
    title: "Scope drift",
    lookFor: "Q1 revenue ends up at an external rendering API three hops down, outside the allowed egress.",
  },
  {
    human: "user:james.whitfield@northwind.example",
    title: "Broken audit trail",
    lookFor: "Customer notices sent, grants expired, and no completion ever reported.",
  },
  {
    human: "user:ravi.patel@ledgerworks.example",
    title: "Compromised agent key",
    lookFor: "A key revoked mid-chain, a refused late event, then the grant itself revoked.",
  },
];

const DEMO_HUMANS = new Set(DEMO_STORY_CARDS.map((s) => s.human));

/** Whether a chain rooted at this human is one of the seeded demo stories. */
export function isDemoRoot(rootIss: string | null | undefined): boolean {
  return !!rootIss && DEMO_HUMANS.has(rootIss);
}
