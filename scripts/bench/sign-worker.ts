// A signing thread for scripts/bench/scale.ts: signs background chains (workload.ts smallChain)
// so the fill's main thread only ingests. Started through signingPool, which registers tsx first.
import { parentPort, workerData } from "node:worker_threads";
import { smallChain, type TPopulation } from "./workload";

const { pop, now } = workerData as { pop: TPopulation; now: number };

parentPort!.on("message", (job: { id: number; first: number; end: number }) => {
  const chains: string[][] = [];
  for (let n = job.first; n < job.end; n++) chains.push(smallChain(n, pop, now));
  parentPort!.postMessage({ id: job.id, chains });
});
