// The global search contract: GET /api/v1/search?q=. An exact chain id or event jti answers with
// the place to open; anything else with suggestions grouped by what they are.
import { z } from "zod";

export const ZSearchQuery = z.object({ q: z.string().trim().min(1).max(200) });
export type TSearchQuery = z.infer<typeof ZSearchQuery>;

export const SEARCH_GROUPS = ["chains", "events", "principals", "resources"] as const;
export type TSearchGroup = (typeof SEARCH_GROUPS)[number];

/** One suggestion: what to show and where it leads (a dashboard path). */
export type TSearchHit = { label: string; detail: string | null; href: string };

export type TSearchAnswer = {
  q: string;
  /** an exact chain id or event jti: open this without asking */
  exact: { kind: "chain" | "event"; href: string } | null;
  groups: Record<TSearchGroup, TSearchHit[]>;
};
