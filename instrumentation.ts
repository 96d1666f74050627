// Next calls register() once when the server starts: the webhook worker runs in the server process
// (lib/webhooks/worker.ts), beside the requests and never in their way. Node runtime only.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startWebhookWorker } = await import("@/lib/webhooks/worker");
  startWebhookWorker();
}
