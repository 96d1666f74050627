-- Single sign-on (OpenID Connect, lib/auth/oidc.ts): the provider's subject each user signs in as,
-- and the sign-ons in flight (PKCE verifier and nonce by state, one use, 10 minutes).
CREATE TABLE "UserIdentity" (
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSignInAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("issuer", "subject"),
    CONSTRAINT "UserIdentity_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE INDEX "UserIdentity_userId_idx" ON "UserIdentity"("userId");

CREATE TABLE "OidcLogin" (
    "state" TEXT NOT NULL PRIMARY KEY,
    "codeVerifier" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "returnTo" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

CREATE INDEX "OidcLogin_expiresAt_idx" ON "OidcLogin"("expiresAt");
