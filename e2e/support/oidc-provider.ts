// A real OpenID Connect provider for the single sign-on tests: the `oidc-provider` package (the one
// many Node identity servers are built on) on 127.0.0.1 with one confidential client that must use
// client_secret_post and PKCE (S256), and a login page of our own at its interaction URL (one
// button per user and a "Deny" button). Users and their claims live in a Map the test may change
// while the provider runs: that is how a role changes "at the provider". The provider keeps to
// OpenID Connect's rule for the code flow (conformIdTokenClaims), so email, name and the groups
// claim come from its userinfo endpoint, not the ID token.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

export type TIdpUser = { sub: string; email: string; name: string; claims: { groups: string[] } };

export type TIdp = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, TIdpUser>;
  /** every code exchange at the token endpoint, to show PKCE and client authentication were used */
  tokenRequests: { verifier: string | null; auth: string | null; ok: boolean }[];
  /** how many times the login page was shown (a live provider session skips it) */
  loginPages: number;
  close: () => Promise<void>;
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function html(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(`<!doctype html><title>Test identity provider</title>${body}`);
}

/** `redirectUri`: the Delegraph callback to register, <server URL>/api/auth/oidc/callback. */
export async function startOidcProvider(options: { redirectUri: string; clientId?: string }): Promise<TIdp> {
  const clientId = options.clientId ?? "delegraph-test";
  const clientSecret = randomBytes(24).toString("base64url");
  const users = new Map<string, TIdpUser>();
  const tokenRequests: TIdp["tokenRequests"] = [];
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test-key-1", alg: "ES256", use: "sig" };

  // The port is known only once listening; the provider is made then, before any request reaches it.
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_post",
        id_token_signed_response_alg: "ES256",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    pkce: { required: () => true },
    claims: { openid: ["sub", "groups"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // A first-party client: no consent screen, the scopes it asks for are granted.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        // Read at the time of each request: a role changed in `users` shows at the next sign-on.
        claims: () => {
          const now = users.get(id) ?? user;
          return { sub: id, email: now.email, email_verified: true, name: now.name, groups: [...now.claims.groups] };
        },
      };
    },
    renderError: (ctx, out) => {
      ctx.type = "html";
      ctx.body = `<!doctype html><title>Test identity provider</title><h1>Error</h1><p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ""))}</p>`;
    },
  });
  const loginPages = { count: 0 };

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === "token" && ctx.oidc.params?.grant_type === "authorization_code") {
      tokenRequests.push({
        verifier: typeof ctx.oidc.params.code_verifier === "string" ? ctx.oidc.params.code_verifier : null,
        auth: ctx.oidc.client?.clientAuthMethod ?? null,
        ok: ctx.status === 200,
      });
    }
  });

  const handle = provider.callback();
  http.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", issuer);
    if (!url.pathname.startsWith("/interaction/")) return void handle(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "GET") {
        loginPages.count += 1;
        const buttons = [...users.values()]
          .map((u) => `<button name="user" value="${escapeHtml(u.sub)}">Continue as ${escapeHtml(u.name)}</button>`)
          .join(" ");
        return html(res, 200, `<h1>Test identity provider</h1><form method="post">${buttons} <button name="deny" value="1">Deny</button></form>`);
      }
      const submitted = await form(req);
      const user = users.get(submitted.get("user") ?? "");
      if (submitted.get("deny") || !user || details.prompt.name !== "login") {
        return provider.interactionFinished(req, res, { error: "access_denied", error_description: "The user declined to sign in." });
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => html(res, 500, `<p>${escapeHtml(String(error))}</p>`));
  });

  return {
    issuer,
    clientId,
    clientSecret,
    users,
    tokenRequests,
    get loginPages() {
      return loginPages.count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
