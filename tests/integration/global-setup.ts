// One server for the integration suite, on a fresh database. Tests use unique ids, so they share it.
import type { TestProject } from "vitest/node";
import { startServer, type TTestServer } from "../server";

let server: TTestServer | undefined;

export async function setup(project: TestProject) {
  server = await startServer({ databaseUrl: process.env.TEST_DATABASE_URL || undefined });
  project.provide("serverUrl", server.url);
  project.provide("apiToken", server.token);
  project.provide("databaseUrl", server.databaseUrl);
}

export async function teardown() {
  await server?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    apiToken: string;
    databaseUrl: string;
  }
}
