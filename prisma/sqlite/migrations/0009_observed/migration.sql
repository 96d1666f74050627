-- Observed chains (docs/observed.md): the spans received over OTLP or built from MCP/A2A captures,
-- the stitching keys of their traces, and the assembled chain behind each otel/capture Chain row.
CREATE TABLE "ObservedSpan" (
    "traceId" TEXT NOT NULL,
    "spanId" TEXT NOT NULL,
    "chainId" TEXT,
    "source" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("traceId", "spanId")
);

CREATE INDEX "ObservedSpan_chainId_idx" ON "ObservedSpan"("chainId");

CREATE TABLE "ObservedKey" (
    "key" TEXT NOT NULL,
    "traceId" TEXT NOT NULL,

    PRIMARY KEY ("key", "traceId")
);

CREATE INDEX "ObservedKey_traceId_idx" ON "ObservedKey"("traceId");

CREATE TABLE "ObservedChain" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "traceIds" TEXT NOT NULL,
    "data" TEXT NOT NULL
);

-- A signed event's optional traceparent claim, by trace id: observed spans of that trace show the
-- signed event beside them.
ALTER TABLE "Event" ADD COLUMN "traceId" TEXT;
CREATE INDEX "Event_traceId_idx" ON "Event"("traceId");
