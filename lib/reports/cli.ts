// `npx delegraph verify <bundle.json> [--key <thumbprint>]… [--key-file <file>]… [--json] [--verbose]`:
// re-verifies an evidence bundle with no server and no database. Exit 0 when every check passes, 1
// on any mismatch (a signer that is not a pinned key included), 2 when a file cannot be read or the
// command is wrong. bin/delegraph.mjs runs this file through tsx.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ed25519PublicJwk, ed25519Thumbprint } from "../ledger/signing";
import { bundleNeedsBiscuit, formatVerifyReport, verifyEvidenceBundle } from "./evidence";
import { loadBiscuit, type TBiscuitEngine } from "../protocol/aip/biscuit";

const USAGE = `Usage: delegraph verify <bundle.json> [--key <thumbprint>]... [--key-file <file>]... [--json] [--verbose]

Re-verifies a Delegraph evidence bundle offline (GET /api/v1/chains/{id}/evidence.json):
the server's signature over the bundle, token signatures with the bundle's public keys,
ledger links and the signed ledger checkpoint, and the chain's findings re-computed with
the same verifier. Exit 0 when all checks pass, 1 on any mismatch, 2 when a file cannot
be read.
  --key <thumbprint>  pin the server key: fail unless the bundle is signed by this key
                      (its RFC 7638 thumbprint, as the PDF report's cover and
                      GET /api/v1/ledger/key show it); repeat to accept several keys
  --key-file <file>   pin the keys in a file: a public JWK, a JWK Set {"keys": [...]}, or
                      the answer of GET /api/v1/ledger/key (its current and previous keys)
  --json              machine-readable report on stdout
  --verbose           list passing checks too, not only failures`;

const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/** The thumbprints of the Ed25519 public keys in a key file; throws with a reason when there are none. */
export function thumbprintsOfKeyFile(text: string): string[] {
  const data = JSON.parse(text) as unknown;
  const candidates: unknown[] = [];
  const visit = (v: unknown) => {
    if (typeof v !== "object" || v === null) return;
    const o = v as Record<string, unknown>;
    if (typeof o.kty === "string") candidates.push(o);
    if (o.jwk) candidates.push(o.jwk);
    for (const list of [o.keys, o.previous]) if (Array.isArray(list)) list.forEach(visit);
  };
  visit(data);
  const found = candidates.map(ed25519PublicJwk).filter((k) => k !== null);
  if (found.length === 0) throw new Error("it holds no public Ed25519 JWK");
  return found.map(ed25519Thumbprint);
}

type TIo = { out: (s: string) => void; err: (s: string) => void };

// A thumbprint is base64url and may begin with "-", which parseArgs takes for an option (and
// refuses); `--key X` is read as `--key=X` so any thumbprint can be pinned as GET
// /api/v1/ledger/key shows it. A missing value is still refused.
const VALUED = new Set(["--key", "--key-file"]);
function joinValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) out.push(VALUED.has(args[i]) && i + 1 < args.length ? `${args[i]}=${args[++i]}` : args[i]);
  return out;
}

const parse = (args: string[]) =>
  parseArgs({
    args: joinValues(args),
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      key: { type: "string", multiple: true },
      "key-file": { type: "string", multiple: true },
    },
  });

export function main(
  argv: string[],
  io: TIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
): number | Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err(`delegraph: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE + "\n");
    return 0;
  }
  if (positionals.length === 0) {
    io.out(USAGE + "\n");
    return 2;
  }
  const [command, file, ...rest] = positionals;
  if (command !== "verify" || !file || rest.length > 0) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  const fail = (why: string) => {
    if (values.json) io.out(JSON.stringify({ ok: false, error: why }) + "\n");
    else io.err(`delegraph verify: ${why}\n`);
    return 2;
  };

  const pinned: string[] = [];
  for (const k of values.key ?? []) {
    if (!THUMBPRINT.test(k)) return fail(`--key ${k} is not an RFC 7638 thumbprint (43 base64url characters, as GET /api/v1/ledger/key shows it)`);
    pinned.push(k);
  }
  for (const f of values["key-file"] ?? []) {
    try {
      pinned.push(...thumbprintsOfKeyFile(readFileSync(f, "utf8")));
    } catch (e) {
      return fail(`--key-file ${f} ${e instanceof SyntaxError ? `is not JSON (${e.message})` : `cannot be used: ${(e as Error).message}`}`);
    }
  }

  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));
  } catch (e) {
    return fail(`${file} ${e instanceof SyntaxError ? `is not JSON (${e.message})` : `cannot be read (${(e as Error).message})`}`);
  }
  const answer = (biscuit?: TBiscuitEngine) => {
    const report = verifyEvidenceBundle(input, { pinned, biscuit });
    io.out((values.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report, { verbose: values.verbose })) + "\n");
    return report.ok ? 0 : 1;
  };
  // AIP chained tokens need the Biscuit engine (WebAssembly, loaded asynchronously); DEP bundles do not.
  if (!bundleNeedsBiscuit(input)) return answer();
  return loadBiscuit().then(
    (b) => answer(b),
    () => answer(),
  );
}
