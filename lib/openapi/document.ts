// The OpenAPI 3.1 document of /api/v1, built from the same zod schemas the routes parse with
// (lib/contracts) through zod 4's JSON Schema output: queries and bodies as the server accepts them
// (`io: "input"`), answers as it writes them (`io: "output"`, lib/contracts/responses.ts). Served at
// GET /api/v1/openapi.json and read by the dashboard's API reference page.
import { z } from "zod";
import { can, ROLES, type TPermission } from "@/lib/auth/roles";
import { ERROR_STATUS } from "@/lib/contracts/errors";
import { ZErrorBody } from "@/lib/contracts/responses";
import { OPERATIONS, type TOperation } from "./operations";

type TJson = Record<string, unknown>;
type TSchema = TJson;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  304: "not modified since the ETag sent in If-None-Match",
  400: "invalid_request: the query, the body or the path did not match",
  401: "unauthorized: no credentials, or not valid ones",
  403: "forbidden: the role may not do this, or a cookie-authenticated write without its CSRF token",
  404: "not_found",
  409: "conflict: it exists already",
  413: "payload_too_large: the body is over 1 MiB",
  429: "too_many_requests: come back after Retry-After seconds",
  503: "service_unavailable: the database does not answer, or the ingest is at capacity (nothing of the request stored); come back after Retry-After seconds",
};

/** The roles a permission is granted to, for the document's words. */
export function rolesFor(permission: TPermission): string[] {
  return ROLES.filter((r) => can(r, permission));
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): TSchema {
  const out = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as TSchema;
  delete out.$schema;
  // Schemas with an id (`meta({ id })` in lib/contracts/responses.ts) come as $defs; they become
  // components, shared by reference.
  return JSON.parse(JSON.stringify(out).replaceAll('"#/$defs/', '"#/components/schemas/')) as TSchema;
}

/** Lifts the `$defs` zod emits for schemas with an id into components.schemas. */
function lift(schema: TSchema, components: Record<string, TSchema>): TSchema {
  const defs = schema.$defs as Record<string, TSchema> | undefined;
  if (defs) {
    for (const [id, def] of Object.entries(defs)) components[id] = def;
    delete schema.$defs;
  }
  return schema;
}

function queryParameters(schema: z.ZodType): TJson[] {
  const s = jsonSchema(schema, "input");
  const props = (s.properties ?? {}) as Record<string, TSchema>;
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, prop]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema: prop,
    ...(typeof prop.description === "string" ? { description: prop.description } : {}),
  }));
}

function pathParameters(path: string): TJson[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
}

function operationObject(op: TOperation, components: Record<string, TSchema>): TJson {
  const responses: TJson = {};
  const content: TJson = {};
  if (op.success.schema) content[op.success.mediaType] = { schema: lift(jsonSchema(op.success.schema, "output"), components) };
  else if (op.success.binary) content[op.success.mediaType] = { schema: { type: "string", contentMediaType: op.success.mediaType } };
  else content[op.success.mediaType] = { schema: { type: op.success.mediaType === "application/json" ? "object" : "string" } };
  // 204 No Content has no body to describe.
  responses[String(op.success.status)] =
    op.success.status === 204 ? { description: op.success.description } : { description: op.success.description, content };

  const errors = new Set<number>(op.errors ?? []);
  // Every authenticated route parses its path (400 for bad percent-encoding); a body may be too big.
  if (op.permission !== null) for (const s of [400, 401, 403, 429, 503]) errors.add(s);
  if (op.body) errors.add(413);
  for (const status of [...errors].sort((a, b) => a - b)) {
    responses[String(status)] =
      status === 304
        ? { description: ERROR_DESCRIPTIONS[304] }
        : { description: ERROR_DESCRIPTIONS[status] ?? "error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }

  const who = op.permission === null ? "anyone, without credentials" : `roles: ${rolesFor(op.permission).join(", ")}`;
  const operation: TJson = {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: `Who: ${who}.`,
    parameters: [...pathParameters(op.path), ...(op.query ? queryParameters(op.query) : [])],
    responses,
    security: op.permission === null ? [] : [{ bearer: [] }, { session: [] }],
    ...(op.permission === null ? {} : { "x-delegraph-permission": op.permission, "x-delegraph-roles": rolesFor(op.permission) }),
  };
  if (op.body || op.otherBodies) {
    const bodyContent: TJson = {};
    if (op.body) bodyContent["application/json"] = { schema: lift(jsonSchema(op.body, "input"), components) };
    for (const [type, description] of Object.entries(op.otherBodies ?? {})) bodyContent[type] = { schema: { type: "string", description } };
    operation.requestBody = { required: true, content: bodyContent };
  }
  return operation;
}

/** The whole document; `serverUrl` goes into `servers` when given. */
export function openApiDocument(serverUrl?: string): TJson {
  const components: Record<string, TSchema> = {};
  // ZErrorBody has an id: its JSON Schema is a $ref to the component lift() files it as.
  lift(jsonSchema(ZErrorBody, "output"), components);
  const paths: Record<string, TJson> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    paths[op.path][op.method] = operationObject(op, components);
  }
  for (const schema of Object.values(components)) delete schema.id;
  return {
    openapi: "3.1.0",
    info: {
      title: "Delegraph API",
      version: "1",
      description:
        "Verify signed AI-agent delegation events (Delegation Event Protocol v1) and audit every human-rooted chain. " +
        "Errors are {error: {code, message}} with the codes " +
        Object.keys(ERROR_STATUS).join(", ") +
        ". Cookie-authenticated writes also send x-csrf-token.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "an API token (POST /api/v1/tokens) or DELEGRAPH_API_TOKEN" },
        session: { type: "apiKey", in: "cookie", name: "delegraph_session", description: "the dashboard's session cookie" },
      },
    },
  };
}
