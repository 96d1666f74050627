// Every answer the integration suite gets from /api/v1 is held against the OpenAPI document
// (GET /api/v1/openapi.json, built from lib/contracts): this setup file of
// vitest.integration.config.ts wraps fetch, and a JSON answer that does not match its operation's
// schema, or a successful answer from a route the document does not describe, fails the test that
// made the request (tests/openapi/checker.ts).
import { checkAnswer } from "../openapi/checker";

const original = globalThis.fetch;
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const res = await original(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = init?.method ?? (input instanceof Request ? input.method : "GET");
  const problem = await checkAnswer(method, url, res);
  if (problem) throw new Error(`OpenAPI conformance: ${problem.request} answered ${problem.status}: ${problem.problem}`);
  return res;
};
