-- The review workflow (docs/review.md): a state per finding (keyed by event and code, since a
-- re-check rewrites Finding rows), a review per chain, and the history of both.
CREATE TABLE "FindingReview" (
    "eventJti" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "chainId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "assignee" TEXT,
    "note" TEXT,
    "acceptedUntil" DOUBLE PRECISION,
    "basis" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "FindingReview_pkey" PRIMARY KEY ("eventJti","code")
);
CREATE INDEX "FindingReview_chainId_idx" ON "FindingReview"("chainId");
CREATE INDEX "FindingReview_state_idx" ON "FindingReview"("state");
CREATE INDEX "FindingReview_assignee_idx" ON "FindingReview"("assignee");

CREATE TABLE "ChainReview" (
    "chainId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reviewer" TEXT,
    "statement" TEXT,
    "signedOffAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "ChainReview_pkey" PRIMARY KEY ("chainId")
);
CREATE INDEX "ChainReview_status_idx" ON "ChainReview"("status");
ALTER TABLE "ChainReview" ADD CONSTRAINT "ChainReview_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "ReviewEntry" (
    "id" SERIAL NOT NULL,
    "target" TEXT NOT NULL,
    "chainId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "assignee" TEXT,
    "note" TEXT,
    "acceptedUntil" DOUBLE PRECISION,

    CONSTRAINT "ReviewEntry_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ReviewEntry_target_id_idx" ON "ReviewEntry"("target", "id");
CREATE INDEX "ReviewEntry_chainId_id_idx" ON "ReviewEntry"("chainId", "id");

-- Saved views of the chains and findings lists, private to their owner or shared.
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "page" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SavedView_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "SavedView_owner_idx" ON "SavedView"("owner");
CREATE INDEX "SavedView_shared_idx" ON "SavedView"("shared");
