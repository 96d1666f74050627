// GET /api/health — liveness for load balancers and the start script. No auth, no data.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true });
}
