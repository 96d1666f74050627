// @delegraph/sdk as a producer gets it: `npm pack` in packages/sdk, the tarball installed in a
// scratch project outside the repository, the README's first-event example run there as written
// against the suite's server, and a TypeScript file type-checked against the package's declarations.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = process.cwd();
const PACKAGE = join(ROOT, "packages", "sdk");
const server = { url: inject("serverUrl"), token: inject("apiToken") };

let scratch = "";
let tarball = "";

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  // Bounded: the SDK retries for up to 15 minutes while a server is unreachable; a test must fail instead.
  return execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
}

/** The README's first ```js block: the example a producer copies. */
function readmeExample(): string {
  const readme = readFileSync(join(PACKAGE, "README.md"), "utf8");
  const block = /```js\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("packages/sdk/README.md has no ```js example");
  return block[1];
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "delegraph-sdk-consumer-"));
  const out = run("npm", ["pack", "--json", "--pack-destination", scratch], PACKAGE);
  const packed = JSON.parse(out.slice(out.indexOf("["))) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(scratch, packed[0].filename);
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch-producer", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], scratch);
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("@delegraph/sdk from its tarball", () => {
  it("ships the built module, its declarations and README, and depends on jose alone", () => {
    const listing = run("tar", ["-tzf", tarball], scratch).trim().split("\n").sort();
    expect(listing).toEqual(["package/README.md", "package/dist/index.d.ts", "package/dist/index.js", "package/package.json"]);
    const manifest = JSON.parse(readFileSync(join(scratch, "node_modules", "@delegraph", "sdk", "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies)).toEqual(["jose"]);
    const code = readFileSync(join(scratch, "node_modules", "@delegraph", "sdk", "dist", "index.js"), "utf8");
    expect(code).not.toMatch(/from ["'](zod|next|@prisma|pg|better-sqlite3|@\/)/);
  });

  it("runs the README's first-event example against a server", async () => {
    writeFileSync(join(scratch, "first-event.mjs"), readmeExample());
    const out = run("node", ["first-event.mjs"], scratch, { DELEGRAPH_URL: server.url, DELEGRAPH_API_TOKEN: server.token });
    const results = JSON.parse(out.trim().split("\n").at(-1)!) as { jti: string; status: string; chain: string; findings: unknown[] }[];
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted"]);
    expect(results[0].findings).toEqual([]);
    const chain = await fetch(`${server.url}/api/v1/chains/${encodeURIComponent(results[0].chain)}`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(chain.status).toBe(200);
    const body = (await chain.json()) as { status: string; hops: { jti: string }[] };
    expect(body.status).toBe("verified");
    expect(body.hops.map((h) => h.jti)).toEqual(results.map((r) => r.jti));
  });

  it("types a producer's TypeScript through the package's declarations", () => {
    writeFileSync(
      join(scratch, "check.ts"),
      `import { DelegraphClient, generateSigningKey, authorize, invoke, type TIngestResult, type TSigner } from "@delegraph/sdk";
const key = await generateSigningKey({ alg: "ES256" });
const me: TSigner = { id: "user:someone", key };
const grant = await authorize(me, { aud: "agent:a", scope: ["x/*:read"], purpose: { code: "p", text: "t" }, ttl: 60 });
const use = await invoke(grant.claims, { id: "agent:a", key }, { action: "x/1:read", resource: "x/1" });
const client = new DelegraphClient({ baseUrl: "http://127.0.0.1:1", token: "t", retry: { retries: 0 } });
const sent: Promise<TIngestResult[]> = client.send([grant.token, use.token]);
void sent;
// @ts-expect-error the client wants a token
new DelegraphClient({ baseUrl: "http://127.0.0.1:1" });
`,
    );
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["check.ts"],
      }),
    );
    // The repository's TypeScript, but the scratch project's node_modules and settings.
    run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], scratch);
  });
});
