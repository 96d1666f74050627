// Holds an answer of /api/v1 against the OpenAPI document (lib/openapi, served at
// GET /api/v1/openapi.json): its operation's schema for that status, compiled with Ajv (JSON Schema
// 2020-12, formats checked). Used by tests/integration/openapi-conformance.ts on every answer of the
// integration suite.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { openApiDocument } from "@/lib/openapi/document";

type TOperationDoc = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type TDoc = { paths: Record<string, Record<string, TOperationDoc>> };

const doc = openApiDocument() as unknown as TDoc;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi.json");

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

const routes = Object.keys(doc.paths).map((template) => ({
  template,
  pattern: new RegExp("^" + template.replace(/\{[^}]+\}/g, "[^/]+") + "$"),
}));

const validators = new Map<string, ValidateFunction>();
function validatorFor(template: string, method: string, status: string): ValidateFunction | null {
  const response = doc.paths[template]?.[method]?.responses[status];
  if (!response?.content?.["application/json"]?.schema) return null;
  const key = `${method} ${template} ${status}`;
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile({ $ref: `openapi.json#/${pointer("paths", template, method, "responses", status, "content", "application/json", "schema")}` });
    validators.set(key, v);
  }
  return v;
}

export type TConformanceProblem = { request: string; status: number; problem: string };

/** What an answer breaks of the document, or null when it matches (or is not ours to judge). */
export async function checkAnswer(method: string, url: URL, res: Response): Promise<TConformanceProblem | null> {
  if (!url.pathname.startsWith("/api/v1/")) return null;
  const request = `${method.toUpperCase()} ${url.pathname}`;
  const m = method.toLowerCase();
  // Several documented templates can fit (/chains/{id} and a literal); the most literal one wins.
  const route = routes
    .filter((r) => r.pattern.test(url.pathname) && doc.paths[r.template][m])
    .sort((a, b) => a.template.split("{").length - b.template.split("{").length)[0];
  if (!route) {
    if (res.status < 400) return { request, status: res.status, problem: "the OpenAPI document has no operation for this route" };
    return null;
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim();
  if (res.status === 304 || type !== "application/json") return null;
  const status = String(res.status);
  const validate = validatorFor(route.template, m, status);
  if (!validate) return res.status >= 500 ? null : { request, status: res.status, problem: `the document does not list status ${status}` };
  const body: unknown = await res.clone().json();
  if (validate(body)) return null;
  return { request, status: res.status, problem: ajv.errorsText(validate.errors, { dataVar: "body" }) };
}
