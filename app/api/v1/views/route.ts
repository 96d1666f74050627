// GET /api/v1/views — the caller's saved views and every shared one (readers).
// POST /api/v1/views — {name, page: "chains"|"findings", query, shared?} → 201 the view with its
// `href` (readers: a saved view is a bookmark with a name, it changes nothing).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ZSavedViewBody, type TSavedViewBody } from "@/lib/contracts/review";
import { createView, listViews } from "@/lib/review/views";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read" }, async ({ actor }) => json(await listViews(actor)));

export const POST = apiRoute<Record<string, string>, undefined, TSavedViewBody>(
  { permission: "chains:read", body: ZSavedViewBody },
  async ({ actor, body }) => json(await createView(body, actor), { status: 201 }),
);
