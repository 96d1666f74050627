"use client";
// Lays a graph model out, off the main thread for big graphs, and caches the result by the
// model's structural signature: a live refetch that adds no node or edge never re-lays out.
import { useQuery } from "@tanstack/react-query";
import { layoutGraph, toLayoutInput, type TLayoutInput, type TLayoutResult } from "./layout";
import type { TGraphModel } from "./build-graph";

/** Below this many nodes + edges dagre takes a few milliseconds: not worth a worker round trip. */
export const WORKER_THRESHOLD = 120;
/** Room for a grant's label (components/graph/grant-edge.tsx draws it at most 158 px wide). */
const GRANT_LABEL_WIDTH = 160;
/** Room for an invocation's label: "Scope drift → render.chartcloud.io" wraps in 180 px (grant-edge.tsx). */
const INVOKE_LABEL = { width: 180, height: 40 };

let worker: Worker | null = null;
let workerBroken = false;
let nextId = 1;
const pending = new Map<number, { resolve: (r: TLayoutResult) => void; reject: (e: Error) => void }>();

function getWorker(): Worker | null {
  if (workerBroken || typeof Worker === "undefined") return null;
  if (!worker) {
    try {
      worker = new Worker(new URL("./layout.worker.ts", import.meta.url));
      worker.onmessage = (ev: MessageEvent<{ id: number; result?: TLayoutResult; error?: string }>) => {
        const p = pending.get(ev.data.id);
        if (!p) return;
        pending.delete(ev.data.id);
        if (ev.data.result) p.resolve(ev.data.result);
        else p.reject(new Error(ev.data.error ?? "layout failed"));
      };
      worker.onerror = () => {
        workerBroken = true;
        worker = null;
        for (const p of pending.values()) p.reject(new Error("layout worker failed"));
        pending.clear();
      };
    } catch {
      workerBroken = true;
      return null;
    }
  }
  return worker;
}

/**
 * Starts the layout worker ahead of need: the chain page calls it on mount, so the worker's script
 * (dagre and the tree layout) loads and compiles while the chain detail downloads rather than after
 * it, on the way to a big chain's first paint. A small chain never uses it (an idle thread).
 */
export function prewarmLayoutWorker(): void {
  getWorker();
}

function layoutInWorker(input: TLayoutInput): Promise<TLayoutResult> {
  const w = getWorker();
  if (!w) return Promise.resolve(layoutGraph(input));
  const id = nextId++;
  return new Promise<TLayoutResult>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, input });
  }).catch(() => layoutGraph(input));
}

function hash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = (Math.imul(h2, 31) + c) | 0;
  }
  return `${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}${s.length.toString(36)}`;
}

export function useGraphLayout(model: TGraphModel | null) {
  const key = model ? hash(model.signature) : "none";
  const size = model ? model.nodes.length + model.edges.length : 0;
  return useQuery({
    queryKey: ["graph-layout", key],
    queryFn: () => {
      const input = toLayoutInput(model!, GRANT_LABEL_WIDTH, INVOKE_LABEL);
      return size > WORKER_THRESHOLD ? layoutInWorker(input) : Promise.resolve(layoutGraph(input));
    },
    enabled: model !== null,
    staleTime: Infinity,
    gcTime: 10 * 60_000,
    refetchOnWindowFocus: false,
    retry: false,
  });
}
