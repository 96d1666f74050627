// `npm run bench`'s arguments, through node:util's parseArgs.
import { parseArgs } from "node:util";
import type { TMode } from "./config";

export type TBenchArgs = {
  mode: TMode;
  json: string | null;
  /** `both`: SQLite, then PostgreSQL, back to back, with PostgreSQL's figures as a share of SQLite's */
  database: "sqlite" | "postgres" | "both";
  keep: boolean;
  serverNodeOptions: string | null;
  /** the graph benchmark's chain sizes in nodes, replacing the mode's (`--graph-nodes 1000,5000`) */
  graphNodes: number[] | null;
  /** background events filled in-process before the reads, replacing the mode's (`--events 10000000`) */
  events: number | null;
  /** seconds of open-loop ingest at 80% of the measured maximum rate (`--soak 600`) */
  soakSeconds: number | null;
};

export const BENCH_USAGE = `use --smoke, --quick, --full, --json <file>, --database sqlite|postgres|both, --keep, --server-node-options "<flags>", --graph-nodes <n,n,...>, --events <n>, --soak <seconds>`;

const MODES: TMode[] = ["smoke", "quick", "full"];

/** Options whose value is itself a command-line flag (`--server-node-options "--max-old-space-size=256"`). */
const FLAG_VALUED = new Set(["--server-node-options"]);

export function parseBenchArgs(argv: string[]): TBenchArgs {
  // parseArgs refuses a value that starts with a dash unless it is attached with `=`; attach it.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (FLAG_VALUED.has(argv[i]) && i + 1 < argv.length) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        smoke: { type: "boolean" },
        quick: { type: "boolean" },
        full: { type: "boolean" },
        json: { type: "string" },
        database: { type: "string" },
        keep: { type: "boolean" },
        "server-node-options": { type: "string" },
        "graph-nodes": { type: "string" },
        events: { type: "string" },
        soak: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch (e) {
    throw new Error(`${(e as Error).message.split("\n")[0]} (${BENCH_USAGE})`, { cause: e });
  }
  const { values, tokens } = parsed;
  // The last of --smoke/--quick/--full wins, as the flags read left to right.
  const modes = tokens.flatMap((t) => (t.kind === "option" && MODES.includes(t.name as TMode) ? [t.name as TMode] : []));
  const mode = modes.at(-1) ?? "full";
  if (values.json === "") throw new Error("--json needs a file name");
  if (values.database !== undefined && values.database !== "sqlite" && values.database !== "postgres" && values.database !== "both") {
    throw new Error(`--database ${values.database}: use sqlite, postgres or both`);
  }
  let graphNodes: number[] | null = null;
  if (values["graph-nodes"] !== undefined) {
    graphNodes = values["graph-nodes"].split(",").map((x) => Number(x.trim()));
    if (graphNodes.length === 0 || graphNodes.some((n) => !Number.isInteger(n) || n < 2 || n > 100_000)) {
      throw new Error(`--graph-nodes ${values["graph-nodes"]}: use node counts between 2 and 100000, comma-separated (1000,5000)`);
    }
  }
  return {
    graphNodes,
    events: values.events === undefined ? null : wholeNumber("--events", values.events, 1_000, 50_000_000, "events (10000000 or 10_000_000)"),
    soakSeconds: values.soak === undefined ? null : wholeNumber("--soak", values.soak, 10, 86_400, "seconds"),
    mode,
    json: values.json ?? null,
    database: values.database ?? "sqlite",
    keep: values.keep ?? false,
    serverNodeOptions: values["server-node-options"] ?? null,
  };
}

/** A whole number within bounds; `_` and `,` between digit groups are allowed (10_000_000). */
function wholeNumber(flag: string, raw: string, min: number, max: number, what: string): number {
  const n = /^\d{1,3}([_,]?\d{3})*$/.test(raw.trim()) ? Number(raw.trim().replace(/[_,]/g, "")) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${flag} ${raw}: use a whole number of ${what} from ${min} to ${max}`);
  return n;
}
