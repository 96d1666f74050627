// Password rules for dashboard users: at least 12 characters, and not one of the passwords people
// pick most (the zxcvbn-ts common list, ~49,000 entries from breach corpora), nor one of those with
// digits or symbols bolted on ("password2024!"), nor one character repeated.
import { createRequire } from "node:module";
import { z } from "zod";

import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-rules";

export { MIN_PASSWORD_LENGTH };
export const MAX_PASSWORD_LENGTH = 1000;

let common: Set<string> | undefined;

/** Loaded on first use: a password is set rarely, and the list costs ~4 MB of heap. */
function commonPasswords(): Set<string> {
  if (!common) {
    const require = createRequire(import.meta.url);
    const { dictionary } = require("@zxcvbn-ts/language-common") as { dictionary: Record<string, string[]> };
    common = new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  }
  return common;
}

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (Array.from(password).length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (/^(.)\1*$/su.test(lower)) return "must not be one character repeated";
  const list = commonPasswords();
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, "");
  if (list.has(lower) || (core.length >= 4 && list.has(core)) || (core.length === 0 && list.has(lower.replace(/[\W_]+$/g, ""))))
    return "is too common: it appears in lists of breached passwords; choose a longer phrase of unrelated words";
  return null;
}

export const ZPassword = z
  .string()
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
  .superRefine((p, ctx) => {
    const problem = passwordProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
