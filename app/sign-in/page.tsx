import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { SignInForm } from "@/components/auth/sign-in-form";
import { actorFromSessionCookie, SESSION_COOKIE } from "@/lib/auth/authenticate";
import { ssoSettings, SSO_DENIAL_TEXT, type TSsoDenial } from "@/lib/auth/oidc";
import { safeNext } from "@/lib/ui/fetcher";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; error?: string | string[] }> }) {
  // Already signed in (a bookmarked sign-in page, the back button): go where they were heading.
  const session = await actorFromSessionCookie((await cookies()).get(SESSION_COOKIE)?.value ?? null);
  if (session) {
    const next = (await searchParams).next;
    redirect(safeNext(Array.isArray(next) ? next[0] : next));
  }
  // A refused single sign-on comes back here with ?error=<code>; only known codes are shown.
  const errorCode = (await searchParams).error;
  const code = Array.isArray(errorCode) ? errorCode[0] : errorCode;
  const error = code && Object.hasOwn(SSO_DENIAL_TEXT, code) ? SSO_DENIAL_TEXT[code as TSsoDenial] : null;
  const sso = { ...ssoSettings(), error };
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <p className="text-2xl font-semibold tracking-tight text-slate-900">Delegraph</p>
          <p className="mt-1 text-sm text-slate-600">Every agent action, traced back to a human decision.</p>
        </div>
        <Suspense fallback={<div className="h-64 rounded-lg border border-slate-200 bg-white" />}>
          <SignInForm sso={sso} />
        </Suspense>
        {/* The first-run password hint is no help where passwords are turned off. */}
        {sso.passwordSignIn && (
          <p className="mt-4 text-center text-xs leading-relaxed text-slate-600">
            First run? The server prints the admin&rsquo;s email (<span className="font-mono">admin@delegraph.local</span> unless{" "}
            <span className="font-mono">DELEGRAPH_ADMIN_EMAIL</span> is set) and a one-time password in the terminal where{" "}
            <span className="font-mono">npm start</span> ran. Other accounts are created by an admin under Settings.
          </p>
        )}
      </div>
    </main>
  );
}
