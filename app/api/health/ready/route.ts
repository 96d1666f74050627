// GET /api/health/ready — readiness for load balancers: 200 when the database answers (on SQLite,
// when the write lock can be taken), else 503 with Retry-After. No auth, no data. /api/health is
// liveness only: it says the process serves, whatever the database does.
import { json, unavailable } from "@/lib/http";
import { stores } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET() {
  const check = await (await stores()).check();
  return check.ok ? json({ ok: true }, { headers: { "cache-control": "no-store" } }) : unavailable();
}
