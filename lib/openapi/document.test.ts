// The OpenAPI document describes every /api/v1 route there is (and none that is not), with the
// methods each route.ts exports, and is a valid OpenAPI 3.1 document.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./document";
import { OPERATIONS } from "./operations";

const API_ROOT = join(process.cwd(), "app", "api", "v1");

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === "route.ts" ? [full] : [];
  });
}

/** `app/api/v1/chains/[id]/route.ts` exporting GET → `get /api/v1/chains/{id}`. */
function routesOnDisk(): string[] {
  return routeFiles(API_ROOT).flatMap((file) => {
    const dir = relative(API_ROOT, file).split(sep).slice(0, -1);
    const path = "/api/v1" + dir.map((seg) => "/" + seg.replace(/^\[(.+)\]$/, "{$1}")).join("");
    const source = readFileSync(file, "utf8");
    const methods = [...source.matchAll(/export\s+(?:const|async function|function)\s+(GET|POST|PATCH|PUT|DELETE)\b/g)].map((m) =>
      m[1].toLowerCase(),
    );
    return methods.map((m) => `${m} ${path}`);
  });
}

type TResponse = { description: string; content?: Record<string, { schema: Record<string, unknown> }> };
type TDoc = { paths: Record<string, Record<string, { responses: Record<string, TResponse> }>>; components: { schemas: Record<string, unknown> } };

describe("the OpenAPI document", () => {
  const doc = openApiDocument("http://127.0.0.1:3000") as unknown as TDoc;

  it("describes exactly the routes of app/api/v1, method by method", () => {
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    const onDisk = routesOnDisk();
    expect(onDisk.length).toBeGreaterThan(20);
    expect(described.sort()).toEqual(onDisk.sort());
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("resolves every $ref to a component", () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) expect(doc.components.schemas, ref).toHaveProperty(ref);
    for (const [name, schema] of Object.entries(doc.components.schemas)) expect(schema, name).not.toHaveProperty("$ref");
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
  });

  it("says what a route answers, including its errors", () => {
    const ingest = doc.paths["/api/v1/events"].post;
    expect(Object.keys(ingest.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "413", "503"]));
    const chain = doc.paths["/api/v1/chains/{id}"].get.responses["200"] as { content: Record<string, { schema: unknown }> };
    expect(chain.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ChainDetail" });
  });

  // Without a schema an answer is {type: "object"}, which anything fits: the conformance check of the
  // integration suite (tests/openapi/checker.ts) would pass whatever the route wrote.
  it("itemises the answer of every JSON operation with a schema of lib/contracts/responses.ts", () => {
    const json = OPERATIONS.filter((op) => op.success.mediaType === "application/json" && op.success.status !== 204);
    expect(json.length).toBeGreaterThan(30);
    expect(json.filter((op) => !op.success.schema).map((op) => op.operationId)).toEqual([]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const schema = response.content?.["application/json"]?.schema;
          if (!schema) continue;
          const where = `${method} ${path} ${status}`;
          expect(schema, where).not.toEqual({ type: "object" });
          expect(Object.keys(schema).length, where).toBeGreaterThan(0);
          if (!schema.$ref) expect(schema, where).toHaveProperty("properties");
        }
      }
    }
  });

  it("gives a 204 answer no body", () => {
    const noContent = OPERATIONS.filter((op) => op.success.status === 204);
    expect(noContent.map((op) => op.operationId)).toContain("deleteView");
    for (const op of noContent) expect(doc.paths[op.path][op.method].responses["204"]).not.toHaveProperty("content");
  });
});
