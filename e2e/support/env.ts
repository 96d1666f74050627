// One place for what the suite and its server agree on. playwright.config.ts starts the server
// with these values; specs seed and sign in with them.
import "./port"; // first: sets E2E_PORT (a free port) when it is not set

export const E2E_PORT = Number(process.env.E2E_PORT);
export const BASE_URL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${E2E_PORT}`;
export const API_TOKEN = process.env.E2E_API_TOKEN ?? "e2e-token-7f3c9a2b1d";
export const ADMIN_EMAIL = process.env.E2E_ADMIN_EMAIL ?? "e2e-admin@delegraph.test";
export const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? "e2e-password-5b8d1c";

/** Unique per spec file and run, so the suite can run against a database that is not fresh. */
export function runTag(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}
