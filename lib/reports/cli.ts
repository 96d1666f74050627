// `npx delegraph verify <bundle.json> [--json] [--verbose]`: re-verifies an evidence bundle with no
// server and no database. Exit 0 when every check passes, 1 on any mismatch, 2 when the file
// cannot be read or the command is wrong. bin/delegraph.mjs runs this file through tsx.
import { readFileSync } from "node:fs";
import { formatVerifyReport, verifyEvidenceBundle } from "./evidence";

const USAGE = `Usage: delegraph verify <bundle.json> [--json] [--verbose]

Re-verifies a Delegraph evidence bundle offline (GET /api/v1/chains/{id}/evidence.json):
token signatures with the bundle's public keys, ledger links, and the chain's findings
re-computed with the same verifier. Exit 0 when all checks pass, 1 on any mismatch,
2 when the file cannot be read.
  --json      machine-readable report on stdout
  --verbose   list passing checks too, not only failures`;

export function main(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): number {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const args = argv.filter((a) => !a.startsWith("--"));
  if (flags.has("--help") || args.length === 0) {
    io.out(USAGE + "\n");
    return args.length === 0 && !flags.has("--help") ? 2 : 0;
  }
  const [command, file, ...rest] = args;
  const unknown = [...flags].filter((f) => !["--json", "--verbose"].includes(f));
  if (command !== "verify" || !file || rest.length > 0 || unknown.length > 0) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));
  } catch (e) {
    const why = e instanceof SyntaxError ? `is not JSON (${e.message})` : `cannot be read (${(e as Error).message})`;
    if (flags.has("--json")) io.out(JSON.stringify({ ok: false, error: `${file} ${why}` }) + "\n");
    else io.err(`delegraph verify: ${file} ${why}\n`);
    return 2;
  }
  const report = verifyEvidenceBundle(input);
  io.out((flags.has("--json") ? JSON.stringify(report, null, 2) : formatVerifyReport(report, { verbose: flags.has("--verbose") })) + "\n");
  return report.ok ? 0 : 1;
}
