"use client";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { isApiError, safeNext } from "@/lib/ui/fetcher";
import { useSignIn } from "@/lib/ui/hooks/use-sign-in";

function messageFor(error: unknown): string {
  if (!isApiError(error)) return "Sign-in failed. Try again.";
  if (error.status === 401) return "That email and password do not match an account. Check both and try again.";
  if (error.status === 429) return "Too many sign-in attempts. Wait a minute, then try again.";
  if (error.status === 400) return "Enter a valid email address and a password.";
  if (error.code === "network") return "The server could not be reached. Check your connection and try again.";
  return "The server could not sign you in right now. Try again in a moment.";
}

/** Single sign-on as the sign-in page knows it from the server's settings (lib/auth/oidc.ts). */
export type TSsoOptions = { enabled: boolean; name: string; passwordSignIn: boolean; error: string | null };

function SsoButton({ sso, next }: { sso: TSsoOptions; next: string }) {
  return (
    // A plain link: the server answers with a redirect to the identity provider.
    <a
      href={`/api/auth/oidc/start?next=${encodeURIComponent(next)}`}
      className="btn-primary flex w-full justify-center py-2"
      data-testid="sso-sign-in"
    >
      Sign in with {sso.name}
    </a>
  );
}

export function SignInForm({ sso }: { sso?: TSsoOptions }) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const next = safeNext(searchParams.get("next"));
  const signIn = useSignIn();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    signIn.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => {
          router.replace(next);
          router.refresh();
        },
      },
    );
  };

  const error = signIn.isError ? messageFor(signIn.error) : (sso?.error ?? null);
  if (sso?.enabled && !sso.passwordSignIn) {
    return (
      <div className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-base font-semibold text-slate-900">Sign in</h1>
        {error && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        )}
        <p className="text-sm text-slate-600">This server signs you in through your organisation&apos;s identity provider.</p>
        <SsoButton sso={sso} next={next} />
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" noValidate={false}>
      <h1 className="text-base font-semibold text-slate-900">Sign in</h1>
      {searchParams.get("next") && !error && <p className="text-sm text-slate-600">Sign in to continue to the page you asked for.</p>}
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <div>
        <label htmlFor="email" className="label">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          className="input"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div>
        <label htmlFor="password" className="label">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="input"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <button type="submit" className="btn-primary w-full py-2" disabled={signIn.isPending}>
        {signIn.isPending ? "Signing in…" : "Sign in"}
      </button>
      {sso?.enabled && (
        <>
          <p className="flex items-center gap-3 text-xs text-slate-500 before:h-px before:flex-1 before:bg-slate-200 after:h-px after:flex-1 after:bg-slate-200">
            or
          </p>
          <SsoButton sso={sso} next={next} />
        </>
      )}
    </form>
  );
}
