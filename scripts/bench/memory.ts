// Peak resident memory of a process tree (the server: tsx → next start → next-server), sampled
// from /proc. The sum over the tree counts shared pages once per process, so it errs high.
import { readdirSync, readFileSync } from "node:fs";

function childrenOf(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = out.get(ppid) ?? [];
      list.push(Number(name));
      out.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export type TMemorySample = { treeMiB: number; largestMiB: number; processes: number; byProcess: { name: string; mib: number }[] };

function nameOf(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    if (args[0]?.startsWith("next-server")) return args[0];
    // node with tsx's loader flags: named by the script it runs, its last .ts/.js argument.
    const script = [...args].reverse().find((a) => /\.(ts|mts|js|mjs|cjs)$/.test(a) && !a.includes("node_modules/tsx"));
    const where = script ? " " + script.split("/").slice(-2).join("/") : "";
    if (args.some((a) => a.endsWith(".bin/tsx"))) return `tsx launcher${where}`;
    return `${args[0]?.split("/").pop() ?? "?"}${where}`;
  } catch {
    return String(pid);
  }
}

export function sampleTree(root: number): TMemorySample {
  const kids = childrenOf();
  const pids: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    pids.push(pid);
    stack.push(...(kids.get(pid) ?? []));
  }
  const sizes = pids.map(rssKiB);
  return {
    treeMiB: sizes.reduce((a, b) => a + b, 0) / 1024,
    largestMiB: Math.max(...sizes) / 1024,
    processes: pids.length,
    byProcess: pids.map((pid, i) => ({ name: nameOf(pid), mib: Math.round(sizes[i] / 1024) })),
  };
}

/**
 * Samples every `everyMs` until stopped. `tree` is the sample with the largest total; `byProcess`
 * the largest RSS each process reached (their peaks need not coincide); `byPhase` the largest
 * next-server RSS during each phase the caller names, to tell which work grows the server.
 */
export function watchMemory(root: number, everyMs = 250) {
  let tree: TMemorySample = { treeMiB: 0, largestMiB: 0, processes: 0, byProcess: [] };
  const byProcess = new Map<string, number>();
  const byPhase = new Map<string, number>();
  let phase = "start";
  const tick = () => {
    const s = sampleTree(root);
    if (s.treeMiB > tree.treeMiB) tree = s;
    for (const p of s.byProcess) byProcess.set(p.name, Math.max(byProcess.get(p.name) ?? 0, p.mib));
    const server = Math.max(0, ...s.byProcess.filter((p) => p.name.startsWith("next-server")).map((p) => p.mib));
    byPhase.set(phase, Math.max(byPhase.get(phase) ?? 0, server));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    phase: (name: string) => {
      tick();
      phase = name;
    },
    stop: () => {
      clearInterval(timer);
      tick();
      return {
        tree,
        byProcess: [...byProcess].map(([name, mib]) => ({ name, mib })),
        serverByPhase: [...byPhase].map(([name, mib]) => ({ phase: name, mib })),
      };
    },
  };
}
