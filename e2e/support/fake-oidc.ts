// A small OpenID Connect provider for the single sign-on tests, on 127.0.0.1, signing ID tokens with
// jose: discovery, a login page with one button per user and a "Deny" button, the token endpoint
// (client_secret_basic or _post; the code is bound to the PKCE challenge, the redirect URI and the
// nonce, and is single-use), the JWKS. Users and their claims can be changed while it runs, which
// is how a test changes a role "at the provider". No provider session: every sign-on shows the page.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export type TFakeUser = { sub: string; email: string; name: string; emailVerified?: boolean; claims: Record<string, unknown> };

type TPendingCode = { clientId: string; redirectUri: string; challenge: string; nonce: string | null; user: TFakeUser; expiresAt: number };

export type TFakeOidc = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, TFakeUser>;
  /** every token request, to check PKCE and client authentication were used */
  tokenRequests: { verifier: string | null; auth: "basic" | "post" | "none" }[];
  close: () => Promise<void>;
};

const b64url = (buf: Buffer) => buf.toString("base64url");
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, data: unknown, type = "application/json") {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(typeof data === "string" ? data : JSON.stringify(data));
}

export async function startFakeOidc(options: { clientId?: string; clientSecret?: string } = {}): Promise<TFakeOidc> {
  const clientId = options.clientId ?? "delegraph-test";
  const clientSecret = options.clientSecret ?? b64url(randomBytes(24));
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "test-key-1", alg: "ES256", use: "sig" };
  const codes = new Map<string, TPendingCode>();
  const users = new Map<string, TFakeUser>();
  const tokenRequests: TFakeOidc["tokenRequests"] = [];
  let issuer = "";

  const signIdToken = (key: CryptoKey, code: TPendingCode) =>
    new SignJWT({
      ...code.user.claims,
      email: code.user.email,
      email_verified: code.user.emailVerified ?? true,
      name: code.user.name,
      ...(code.nonce ? { nonce: code.nonce } : {}),
    })
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid })
      .setIssuer(issuer)
      .setSubject(code.user.sub)
      .setAudience(code.clientId)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", issuer);
      const path = url.pathname.replace(/^\/oidc/, "");
      if (req.method === "GET" && path === "/.well-known/openid-configuration") {
        return send(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["ES256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
          scopes_supported: ["openid", "email", "profile"],
        });
      }
      if (req.method === "GET" && path === "/jwks") return send(res, 200, { keys: [jwk] });
      if (req.method === "GET" && path === "/authorize") {
        const q = url.searchParams;
        const problems = [
          q.get("client_id") !== clientId && "unknown client_id",
          q.get("response_type") !== "code" && "response_type must be code",
          q.get("code_challenge_method") !== "S256" && "PKCE with S256 is required",
          !q.get("code_challenge") && "PKCE with S256 is required",
          !(q.get("scope") ?? "").split(" ").includes("openid") && "scope must include openid",
          !q.get("redirect_uri") && "redirect_uri is required",
        ].filter(Boolean);
        if (problems.length) return send(res, 400, `<p>${escapeHtml(problems.join("; "))}</p>`, "text/html");
        const hidden = [...q].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join("");
        const buttons = [...users.values()]
          .map((u) => `<button name="user" value="${escapeHtml(u.sub)}">Continue as ${escapeHtml(u.name)}</button>`)
          .join(" ");
        return send(
          res,
          200,
          `<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1><form method="post" action="${issuer}/authorize">${hidden}${buttons} <button name="deny" value="1">Deny</button></form>`,
          "text/html",
        );
      }
      if (req.method === "POST" && path === "/authorize") {
        const form = await body(req);
        const redirect = new URL(form.get("redirect_uri")!);
        const state = form.get("state");
        if (state) redirect.searchParams.set("state", state);
        redirect.searchParams.set("iss", issuer);
        const user = users.get(form.get("user") ?? "");
        if (form.get("deny") || !user) redirect.searchParams.set("error", "access_denied");
        else {
          const code = b64url(randomBytes(24));
          codes.set(code, {
            clientId: form.get("client_id")!,
            redirectUri: form.get("redirect_uri")!,
            challenge: form.get("code_challenge")!,
            nonce: form.get("nonce"),
            user: structuredClone(user),
            expiresAt: Date.now() + 60_000,
          });
          redirect.searchParams.set("code", code);
        }
        res.writeHead(303, { location: redirect.toString() });
        return res.end();
      }
      if (req.method === "POST" && path === "/token") {
        const form = await body(req);
        let auth: "basic" | "post" | "none" = "none";
        let id = form.get("client_id");
        let secret = form.get("client_secret");
        const header = req.headers.authorization;
        if (header?.startsWith("Basic ")) {
          const [u, p] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
          id = decodeURIComponent(u);
          secret = decodeURIComponent(p);
          auth = "basic";
        } else if (secret) auth = "post";
        const verifier = form.get("code_verifier");
        tokenRequests.push({ verifier, auth });
        if (id !== clientId || secret !== clientSecret) return send(res, 401, { error: "invalid_client" });
        const code = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!code || code.expiresAt < Date.now() || code.clientId !== id || code.redirectUri !== form.get("redirect_uri")) {
          return send(res, 400, { error: "invalid_grant" });
        }
        const challenge = verifier ? b64url(createHash("sha256").update(verifier).digest()) : null;
        if (challenge !== code.challenge) return send(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
        return send(res, 200, {
          access_token: b64url(randomBytes(24)),
          token_type: "Bearer",
          expires_in: 300,
          id_token: await signIdToken(privateKey, code),
        });
      }
      send(res, 404, { error: "not_found" });
    })().catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
  return {
    issuer,
    clientId,
    clientSecret,
    users,
    tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
