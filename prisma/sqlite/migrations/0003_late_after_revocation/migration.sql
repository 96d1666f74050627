-- The signing key's revocation time in the registry when the event was received (NumericDate,
-- null when it was not revoked then): with "receivedAt", what the late_after_revocation finding is
-- judged from, on every later re-check, read and export.
ALTER TABLE "Event" ADD COLUMN "keyRevokedAt" REAL;
