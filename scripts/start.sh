#!/bin/sh
# `npm start`: prepare (validate configuration, migrate, first-start credentials, the ledger signing
# key and checkpoint, build when stale), then become the server; on an empty database the demo
# chains are seeded through it once it answers.
#
# The TypeScript steps (scripts/start-steps.ts) run under tsx's loader in a child that exits before
# the server starts, and this shell then execs the server: the running tree is the server alone. A
# supervisor that stayed beside it (scripts/start.ts under tsx) cost ~190 MB only to forward
# signals; Node cannot exec, so the launcher is a shell (docs/benchmarks.md, "Memory").
set -eu
cd "$(dirname "$0")/.."

prepared="$(mktemp "${TMPDIR:-/tmp}/delegraph-start.XXXXXX")"
trap 'rm -f "$prepared"' EXIT
# File descriptor 3: the prepared environment as shell assignments; stdout and stderr stay the log.
node --import tsx scripts/start-steps.ts prepare 3>"$prepared"
. "$prepared"
rm -f "$prepared"
trap - EXIT

if [ "$DELEGRAPH_SEED_BASE" != "" ]; then
  # Waits for /api/health, seeds and exits; the server outlives it. Started from a subshell that
  # exits at once, so it is not the server's child: Node would never reap it (a zombie till exit).
  (node --import tsx scripts/start-steps.ts seed "$DELEGRAPH_SEED_BASE" 3>/dev/null &)
fi
unset DELEGRAPH_SEED_BASE
# glibc gives each thread that calls malloc an arena of its own (up to 8 per core) and keeps what is
# freed there: the thread pool's scrypt (16 MB per sign-in) and the big buffers of exports and chain
# details left 45-60 MB of freed memory resident across a bench run; two arenas keep most of it from piling up
# (docs/benchmarks.md, "The server's memory at quick size"). A value in the environment wins.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# Blocks of 128 KiB and more (chain details' and exports' chunks, request bodies) are mapped on their
# own and unmapped when freed. By default glibc raises that threshold to the largest block freed so
# far (up to 32 MB), after which such blocks come from the arenas and pin what is freed around them:
# the main arena held 80 MiB at quick size, 62 with this (docs/benchmarks.md, "The PDF thread's
# garbage"). A value in the environment wins.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
# scripts/server.mjs: Next's handler behind the layer that records the socket's address.
NODE_ENV=production exec node scripts/server.mjs
