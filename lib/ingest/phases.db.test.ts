// The ingest's two phases on SQLite: see phase-cases.ts. checkChain is wrapped to record its calls.
import { vi } from "vitest";
import { useFreshDatabase } from "@/lib/reports/test-fixtures";
import { definePhaseTests } from "./phase-cases";

const log = vi.hoisted(() => ({ ops: [] as string[] }));
vi.mock("@/lib/protocol/chain", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/protocol/chain")>();
  return { ...actual, checkChain: (input: Parameters<typeof actual.checkChain>[0]) => (log.ops.push("checkChain"), actual.checkChain(input)) };
});

await useFreshDatabase();
definePhaseTests("sqlite", log);
