-- Sign-in limits counted atomically before the password is checked (lib/auth/sign-in-throttle.ts):
-- one row per email or address key replaces the per-attempt LoginAttempt rows.
DROP TABLE "LoginAttempt";

CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL,
    "lastAttemptAt" REAL NOT NULL,
    "nextAllowedAt" REAL NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX "LoginThrottle_lastAttemptAt_idx" ON "LoginThrottle"("lastAttemptAt");
