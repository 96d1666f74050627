-- The review workflow (docs/review.md): a state per finding (keyed by event and code, since a
-- re-check rewrites Finding rows), a review per chain, and the history of both.
CREATE TABLE "FindingReview" (
    "eventJti" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "chainId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "assignee" TEXT,
    "note" TEXT,
    "acceptedUntil" REAL,
    "basis" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL,

    PRIMARY KEY ("eventJti", "code")
);
CREATE INDEX "FindingReview_chainId_idx" ON "FindingReview"("chainId");
CREATE INDEX "FindingReview_state_idx" ON "FindingReview"("state");
CREATE INDEX "FindingReview_assignee_idx" ON "FindingReview"("assignee");

CREATE TABLE "ChainReview" (
    "chainId" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "reviewer" TEXT,
    "statement" TEXT,
    "signedOffAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL,
    CONSTRAINT "ChainReview_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "ChainReview_status_idx" ON "ChainReview"("status");

CREATE TABLE "ReviewEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "target" TEXT NOT NULL,
    "chainId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "assignee" TEXT,
    "note" TEXT,
    "acceptedUntil" REAL
);
CREATE INDEX "ReviewEntry_target_id_idx" ON "ReviewEntry"("target", "id");
CREATE INDEX "ReviewEntry_chainId_id_idx" ON "ReviewEntry"("chainId", "id");

-- Saved views of the chains and findings lists, private to their owner or shared.
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "page" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "SavedView_owner_idx" ON "SavedView"("owner");
CREATE INDEX "SavedView_shared_idx" ON "SavedView"("shared");
