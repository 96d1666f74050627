-- Outgoing webhooks (docs/review.md#webhooks): admin-managed receivers, the durable delivery queue,
-- the delivery log, and the scan for new findings (its cursor and the findings already announced).
CREATE TABLE "Webhook" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "url" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "minSeverity" TEXT,
    "secret" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL
);

CREATE TABLE "WebhookDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "lockedUntil" DATETIME,
    "deliveredAt" DATETIME,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");
CREATE INDEX "WebhookDelivery_webhookId_id_idx" ON "WebhookDelivery"("webhookId", "id");

CREATE TABLE "WebhookAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "deliveryId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "httpStatus" INTEGER,
    "error" TEXT,
    CONSTRAINT "WebhookAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "WebhookAttempt_deliveryId_id_idx" ON "WebhookAttempt"("deliveryId", "id");

CREATE TABLE "WebhookScan" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "findingId" INTEGER NOT NULL
);

CREATE TABLE "WebhookFindingSeen" (
    "eventJti" TEXT NOT NULL,
    "code" TEXT NOT NULL,

    PRIMARY KEY ("eventJti", "code")
);

-- The scan starts after the findings stored now: upgrading announces none of them.
INSERT INTO "WebhookScan" ("id", "findingId") SELECT 1, COALESCE(MAX("id"), 0) FROM "Finding";
