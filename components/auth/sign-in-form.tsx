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

export function SignInForm() {
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

  const error = signIn.isError ? messageFor(signIn.error) : null;
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
    </form>
  );
}
