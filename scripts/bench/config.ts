// The sizes of each benchmark mode. `smoke` exercises every measurement path on tiny sizes (npm test
// runs it); `quick` is the under-two-minutes run; `full` is the one the targets are stated for.
export type TMode = "smoke" | "quick" | "full";

export type TBenchConfig = {
  mode: TMode;
  rawVerifySeconds: number;
  population: { humans: number; agents: number; tools: number };
  /** background chains of SMALL_CHAIN_EVENTS events stored before the server starts */
  fillChains: number;
  fillBatch: number;
  /** tree chains read by the chain-detail benchmark, by hop count */
  queryHops: number[];
  /** the chain rendered as a PDF report */
  pdfHops: number;
  /** tree chains drawn by the graph benchmark, by node count */
  graphNodes: number[];
  /** events sent over HTTP per batch size, and how many producers send at once */
  httpEvents: { batchSize: number; events: number; interleaved?: boolean }[];
  httpClients: number;
  /** events sent untimed before the timed runs, per batch shape of httpEvents (scripts/bench.ts) */
  httpWarmupEvents: number;
  queryRuns: number;
  listRuns: number;
  /** the filter of the many-chain CSV export ("" = every event) */
  csvAllFilter: string;
  /** chains of the worst legal grant ingested and read (scripts/bench/worst-grant.ts) */
  worstGrantRuns: number;
  /** 3-block AIP chained tokens posted to /api/v1/aip/tokens (scripts/bench/aip.ts) */
  aipTokens: number;
};

const SMALL_POPULATION = { humans: 10, agents: 60, tools: 10 };
const POPULATION = { humans: 100, agents: 1000, tools: 100 };

export const CONFIGS: Record<TMode, TBenchConfig> = {
  smoke: {
    mode: "smoke",
    rawVerifySeconds: 0.2,
    population: SMALL_POPULATION,
    fillChains: 30,
    fillBatch: 100,
    queryHops: [10, 20, 40],
    pdfHops: 20,
    graphNodes: [10, 30],
    httpEvents: [
      { batchSize: 100, events: 200 },
      { batchSize: 1000, events: 1000 },
      { batchSize: 100, events: 200, interleaved: true },
    ],
    httpClients: 2,
    httpWarmupEvents: 200,
    queryRuns: 3,
    listRuns: 3,
    csvAllFilter: "",
    worstGrantRuns: 3,
    aipTokens: 30,
  },
  quick: {
    mode: "quick",
    rawVerifySeconds: 2,
    population: POPULATION,
    fillChains: 10_300, // ~100k events
    fillBatch: 1000,
    queryHops: [10, 100, 1000],
    pdfHops: 200,
    graphNodes: [100, 1000, 5000],
    httpEvents: [
      { batchSize: 100, events: 6_000 },
      { batchSize: 1000, events: 20_000 },
      { batchSize: 100, events: 3_000, interleaved: true },
    ],
    httpClients: 4,
    httpWarmupEvents: 10_000,
    queryRuns: 40,
    listRuns: 40,
    csvAllFilter: "status=violation",
    worstGrantRuns: 10,
    aipTokens: 300,
  },
  full: {
    mode: "full",
    rawVerifySeconds: 5,
    population: POPULATION,
    fillChains: 103_000, // ~1.01M events: a chain is 10 events, fewer when expired or rootless
    fillBatch: 1000,
    queryHops: [10, 100, 1000],
    pdfHops: 200,
    graphNodes: [100, 1000, 5000],
    httpEvents: [
      { batchSize: 100, events: 50_000 },
      { batchSize: 1000, events: 100_000 },
      { batchSize: 100, events: 20_000, interleaved: true },
    ],
    httpClients: 4,
    httpWarmupEvents: 10_000,
    queryRuns: 100,
    listRuns: 100,
    csvAllFilter: "",
    worstGrantRuns: 20,
    aipTokens: 1000,
  },
};
