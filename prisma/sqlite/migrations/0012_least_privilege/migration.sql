-- Least privilege (docs/least-privilege.md) reads the grants a principal received in a window, and
-- for the ranking every grant in a window, without scanning the events.
CREATE INDEX "Event_aud_iat_idx" ON "Event"("aud", "iat");
CREATE INDEX "Event_kind_iat_idx" ON "Event"("kind", "iat");
