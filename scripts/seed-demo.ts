// Seed the demo stories into a running Delegraph through its public API.
//
//   tsx scripts/seed-demo.ts --url http://127.0.0.1:3000 --token <t> [--keys data/demo-keys.json] [--now <seconds>]
//
// The token may also come from DELEGRAPH_TOKEN. The demo principals' private keys are kept in the
// --keys file (mode 0600, under the git-ignored data/ by default) and written BEFORE anything is
// registered: the server keeps the keys it first saw, so losing them would make the demo principals
// unusable on that server.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { DelegraphApiError, DelegraphClient } from "@delegraph/sdk";
import { seedDemo, type TDemoKeys } from "@/lib/sdk/demo";

const USAGE = "usage: tsx scripts/seed-demo.ts --url <base url> --token <api token> [--keys <file>] [--now <seconds>] [--json]";

async function readKeys(path: string): Promise<TDemoKeys> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as TDemoKeys;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(`cannot read demo keys from ${path}: ${(err as Error).message}`, { cause: err });
  }
}

async function writeKeys(path: string, keys: TDemoKeys): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600 });
  await chmod(path, 0o600);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      token: { type: "string" },
      keys: { type: "string", default: "data/demo-keys.json" },
      now: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const token = values.token ?? process.env.DELEGRAPH_TOKEN;
  if (!values.url || !token) {
    console.error(USAGE);
    return 2;
  }
  const now = values.now === undefined ? undefined : Number(values.now);
  if (now !== undefined && !Number.isFinite(now)) {
    console.error(`--now must be seconds since the epoch, got ${values.now}`);
    return 2;
  }

  const keyFile = values.keys;
  const client = new DelegraphClient({ baseUrl: values.url, token });
  const summary = await seedDemo(client, {
    now,
    keys: await readKeys(keyFile),
    onKeys: (keys) => writeKeys(keyFile, keys),
  });

  if (values.json) {
    console.log(
      JSON.stringify(
        { chains: summary.chains, stories: summary.stories.map(({ events, results, ...s }) => ({ ...s, events: events.length })) },
        null,
        2,
      ),
    );
  } else {
    for (const story of summary.stories) {
      console.log(`${story.chain}  ${story.expectedStatus.padEnd(9)}  ${story.title}`);
    }
  }
  const problems = summary.stories.flatMap((s) => s.problems.map((p) => `${s.id}: ${p}`));
  for (const p of problems) console.error(`unexpected: ${p}`);
  return problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof DelegraphApiError) {
      console.error(`seed failed: HTTP ${err.status} ${err.code}: ${err.message}`);
    } else {
      console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.exit(1);
  },
);
