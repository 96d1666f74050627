// Runs before every page request (not API routes, see config): security headers (a nonce-based
// CSP with no inline script, no framing, nosniff, a strict referrer policy) and an early
// redirect to /sign-in when there is no session cookie. The session itself is validated on the
// server by the dashboard layout and by every API route; this check only saves a round trip.
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIE = "delegraph_session";

function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV !== "production";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React Flow positions nodes with style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function secure(response: NextResponse, csp: string): NextResponse {
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  return response;
}

export function proxy(req: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const { pathname, search } = req.nextUrl;
  const isPublicPage = pathname === "/sign-in";
  if (!isPublicPage && !req.cookies.get(SESSION_COOKIE)?.value) {
    const target = new URL("/sign-in", req.url);
    if (pathname !== "/") target.searchParams.set("next", pathname + search);
    return secure(NextResponse.redirect(target), csp);
  }
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  return secure(NextResponse.next({ request: { headers } }), csp);
}

// Pages only: API answers are JSON, CSV or PDF, never rendered with scripts, so they need no
// per-request nonce; their (static) security headers come from next.config.js. Skipping the proxy
// saves every ingest request a middleware pass.
export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};
