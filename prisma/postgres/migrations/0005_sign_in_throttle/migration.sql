-- Sign-in limits counted atomically before the password is checked (lib/auth/sign-in-throttle.ts):
-- one row per email or address key replaces the per-attempt LoginAttempt rows.
DROP TABLE "LoginAttempt";

CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "lastAttemptAt" DOUBLE PRECISION NOT NULL,
    "nextAllowedAt" DOUBLE PRECISION NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "LoginThrottle_lastAttemptAt_idx" ON "LoginThrottle"("lastAttemptAt");
