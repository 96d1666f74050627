// The stores of one database, chosen once when it is opened: every concern's contract, with the
// implementation for this database.
import type { TDatabase } from "../connect";
import { createAipStore, type TAipStore } from "./aip";
import { checkDatabase } from "../health";
import { createAuditStore, type TAuditStore } from "./audit";
import { createAuthStore, type TAuthStore } from "./auth";
import { createChainStore, type TChainStore } from "./chains";
import { createExportStore, type TExportStore } from "./exports";
import { createIngestStores, type TIngestStores } from "./ingest";
import { createInsightStore, type TInsightStore } from "./insights";
import { createLeastPrivilegeStore, type TLeastPrivilegeStore } from "./least-privilege";
import { createLedgerStore, type TLedgerStore } from "./ledger";
import { createObservedStore, type TObservedStore } from "./observed";
import { createQuarantineStore, type TQuarantineStore } from "./quarantine";
import { createRegistryStore, type TRegistryStore } from "./registry";
import { createReviewStore, type TReviewStore } from "./review";
import { createWebhookStore, type TWebhookStore } from "./webhooks";

export type TStores = {
  kind: TDatabase["kind"];
  ingest: TIngestStores;
  chains: TChainStore;
  exports: TExportStore;
  insights: TInsightStore;
  registry: TRegistryStore;
  auth: TAuthStore;
  audit: TAuditStore;
  ledger: TLedgerStore;
  quarantine: TQuarantineStore;
  aip: TAipStore;
  observed: TObservedStore;
  leastPrivilege: TLeastPrivilegeStore;
  review: TReviewStore;
  webhooks: TWebhookStore;
  /** the database answers now (see lib/db/health.ts); never throws */
  check(timeoutMs?: number): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** how many events are stored (start-up decides on demo seeding from it) */
  eventCount(): Promise<number>;
};

export function createStores(db: TDatabase): TStores {
  return {
    kind: db.kind,
    ingest: createIngestStores(db),
    chains: createChainStore(db),
    exports: createExportStore(db),
    insights: createInsightStore(db),
    registry: createRegistryStore(db),
    auth: createAuthStore(db),
    audit: createAuditStore(db),
    ledger: createLedgerStore(db),
    quarantine: createQuarantineStore(db),
    aip: createAipStore(db),
    observed: createObservedStore(db),
    leastPrivilege: createLeastPrivilegeStore(db),
    review: createReviewStore(db),
    webhooks: createWebhookStore(db),
    check: (timeoutMs) => checkDatabase(db, timeoutMs),
    eventCount: () => db.prisma.event.count(),
  };
}
