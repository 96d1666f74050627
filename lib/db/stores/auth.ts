// API tokens, dashboard users, sessions and the sign-in throttle. Secrets are stored as hashes.
import type { TDatabase } from "../connect";

export type TTokenRecord = {
  id: string;
  name: string;
  role: string;
  hash: string;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};
export type TUserRecord = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  passwordHash: string;
  createdAt: Date;
  disabledAt: Date | null;
};
export type TOidcLoginRecord = { state: string; codeVerifier: string; nonce: string; returnTo: string; expiresAt: Date };
export type TIdentityRecord = { issuer: string; subject: string; userId: string; createdAt: Date; lastSignInAt: Date };
export type TThrottleRecord = { key: string; failures: number; lastAttemptAt: number; nextAllowedAt: number; version: number };

export type TAuthStore = {
  createToken(t: { id: string; name: string; role: string; hash: string; createdBy: string | null }): Promise<TTokenRecord>;
  tokenByHash(hash: string): Promise<TTokenRecord | null>;
  token(id: string): Promise<TTokenRecord | null>;
  /** the generated bootstrap token, by its fixed id or by its name and creator */
  findBootstrapToken(id: string, name: string, createdBy: string): Promise<TTokenRecord | null>;
  tokens(): Promise<TTokenRecord[]>;
  setTokenRevokedAt(id: string, at: Date): Promise<TTokenRecord>;
  users(): Promise<TUserRecord[]>;
  userCount(): Promise<number>;
  user(id: string): Promise<TUserRecord | null>;
  userByEmail(email: string): Promise<TUserRecord | null>;
  createUser(u: { id: string; email: string; name: string | null; role: string; passwordHash: string }): Promise<TUserRecord>;
  updateUser(id: string, data: { role?: string; passwordHash?: string; disabledAt?: Date | null }): Promise<TUserRecord>;
  createSession(s: { id: string; userId: string; csrf: string; expiresAt: Date }): Promise<void>;
  /** a session with its user */
  session(id: string): Promise<{ csrf: string; expiresAt: Date; user: TUserRecord } | null>;
  deleteSession(id: string): Promise<void>;
  deleteSessionsOf(userId: string): Promise<void>;
  deleteExpiredSessions(now: Date): Promise<void>;
  throttle(key: string): Promise<TThrottleRecord | null>;
  /** creates the key's row; false when another attempt made it first */
  createThrottle(t: Omit<TThrottleRecord, "version">): Promise<boolean>;
  /** compare-and-swap on `version`: true when this update won */
  swapThrottle(key: string, version: number, data: { failures: number; lastAttemptAt: number; nextAllowedAt: number }): Promise<boolean>;
  clearThrottle(key: string): Promise<void>;
  /** takes one count back (never below zero) */
  uncountThrottle(key: string): Promise<void>;
  pruneThrottles(before: number): Promise<void>;
  /** a single sign-on in flight (lib/auth/oidc.ts) */
  createOidcLogin(l: TOidcLoginRecord): Promise<void>;
  /** removes and returns the sign-on of this state (one use); null when unknown, taken or expired at `now` */
  takeOidcLogin(state: string, now: Date): Promise<TOidcLoginRecord | null>;
  deleteExpiredOidcLogins(now: Date): Promise<void>;
  /** the user an identity provider's subject signs in as */
  identity(issuer: string, subject: string): Promise<TIdentityRecord | null>;
  createIdentity(i: { issuer: string; subject: string; userId: string }): Promise<TIdentityRecord>;
  touchIdentity(issuer: string, subject: string, at: Date): Promise<void>;
};

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "P2002";

export function createAuthStore(db: TDatabase): TAuthStore {
  const prisma = db.prisma;
  return {
    createToken: (t) => prisma.apiToken.create({ data: t }),
    tokenByHash: (hash) => prisma.apiToken.findUnique({ where: { hash } }),
    token: (id) => prisma.apiToken.findUnique({ where: { id } }),
    findBootstrapToken: (id, name, createdBy) => prisma.apiToken.findFirst({ where: { OR: [{ id }, { name, createdBy }] } }),
    tokens: () => prisma.apiToken.findMany({ orderBy: { createdAt: "desc" } }),
    setTokenRevokedAt: (id, at) => prisma.apiToken.update({ where: { id }, data: { revokedAt: at } }),
    users: () => prisma.user.findMany({ orderBy: { email: "asc" } }),
    userCount: () => prisma.user.count(),
    user: (id) => prisma.user.findUnique({ where: { id } }),
    userByEmail: (email) => prisma.user.findUnique({ where: { email } }),
    createUser: (u) => prisma.user.create({ data: u }),
    updateUser: (id, data) => prisma.user.update({ where: { id }, data }),
    createSession: async (s) => void (await prisma.session.create({ data: s })),
    session: (id) => prisma.session.findUnique({ where: { id }, select: { csrf: true, expiresAt: true, user: true } }),
    deleteSession: async (id) => void (await prisma.session.deleteMany({ where: { id } })),
    deleteSessionsOf: async (userId) => void (await prisma.session.deleteMany({ where: { userId } })),
    deleteExpiredSessions: async (now) => void (await prisma.session.deleteMany({ where: { expiresAt: { lt: now } } })),
    throttle: (key) => prisma.loginThrottle.findUnique({ where: { key } }),
    createThrottle: async (t) => {
      try {
        await prisma.loginThrottle.create({ data: t });
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },
    swapThrottle: async (key, version, data) =>
      (await prisma.loginThrottle.updateMany({ where: { key, version }, data: { ...data, version: version + 1 } })).count === 1,
    clearThrottle: async (key) => void (await prisma.loginThrottle.updateMany({ where: { key }, data: { failures: 0, nextAllowedAt: 0 } })),
    uncountThrottle: async (key) =>
      void (await prisma.loginThrottle.updateMany({ where: { key, failures: { gt: 0 } }, data: { failures: { decrement: 1 } } })),
    pruneThrottles: async (before) => void (await prisma.loginThrottle.deleteMany({ where: { lastAttemptAt: { lt: before } } })),
    createOidcLogin: async (l) => void (await prisma.oidcLogin.create({ data: l })),
    takeOidcLogin: async (state, now) => {
      const login = await prisma.oidcLogin.findUnique({ where: { state } });
      if (!login) return null;
      // Whoever deletes the row owns the sign-on: a replayed callback finds nothing to delete.
      const { count } = await prisma.oidcLogin.deleteMany({ where: { state } });
      return count === 1 && login.expiresAt > now ? login : null;
    },
    deleteExpiredOidcLogins: async (now) => void (await prisma.oidcLogin.deleteMany({ where: { expiresAt: { lt: now } } })),
    identity: (issuer, subject) => prisma.userIdentity.findUnique({ where: { issuer_subject: { issuer, subject } } }),
    createIdentity: (i) => prisma.userIdentity.create({ data: i }),
    touchIdentity: async (issuer, subject, at) =>
      void (await prisma.userIdentity.updateMany({ where: { issuer, subject }, data: { lastSignInAt: at } })),
  };
}
