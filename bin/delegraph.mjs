#!/usr/bin/env node
// The `delegraph` command (package.json "bin"). The CLI is TypeScript that shares the verifier
// with the server (lib/protocol), so it is loaded through tsx, a dependency, instead of a build.
import { tsImport } from "tsx/esm/api";

if (process.argv[2] === "mcp-proxy") {
  // The MCP capture proxy (docs/observed.md): runs until interrupted.
  const { mcpProxyMain } = await tsImport("../lib/capture-proxy/proxy.ts", import.meta.url);
  process.exitCode = await mcpProxyMain(process.argv.slice(3));
} else {
  const { main } = await tsImport("../lib/reports/cli.ts", import.meta.url);
  process.exitCode = await main(process.argv.slice(2));
}
