// Saved views (docs/review.md#saved-views): a chains or findings list's filters under a name,
// private or shared. A view is its URL: the list page reads the same query string, so opening the
// view and pasting its URL show the same list.
import { randomBytes } from "node:crypto";
import { recordAudit } from "@/lib/audit";
import type { TActor } from "@/lib/auth/authenticate";
import type { TSavedView, TSavedViewBody, TSavedViewList, TSavedViewPage } from "@/lib/contracts/review";
import { stores } from "@/lib/db";
import type { TSavedViewRow } from "@/lib/db/stores/review";
import { AppError } from "@/lib/http";
import { actorName } from "./service";

const MAX_VIEWS_PER_OWNER = 100;
/** Paging and transient UI state never belong to a view. */
const DROPPED = new Set(["cursor", "prev", "limit"]);

/** The query string a view keeps: parameters in their order, empty and paging ones dropped. */
export function normaliseViewQuery(raw: string): string {
  const params = new URLSearchParams(raw.startsWith("?") ? raw.slice(1) : raw);
  const out = new URLSearchParams();
  for (const [k, v] of params) if (v !== "" && !DROPPED.has(k)) out.append(k, v);
  return out.toString();
}

function toView(r: TSavedViewRow, owner: string): TSavedView {
  return {
    id: r.id,
    name: r.name,
    page: r.page as TSavedViewPage,
    query: r.query,
    href: `/${r.page}${r.query ? `?${r.query}` : ""}`,
    owner: r.owner,
    shared: r.shared,
    isMine: r.owner === owner,
    createdAt: r.createdAt.toISOString(),
  };
}

export async function listViews(actor: TActor): Promise<TSavedViewList> {
  const owner = actorName(actor);
  return { items: (await (await stores()).review.views(owner)).map((r) => toView(r, owner)) };
}

export async function createView(body: TSavedViewBody, actor: TActor): Promise<TSavedView> {
  const owner = actorName(actor);
  const s = (await stores()).review;
  const mine = (await s.views(owner)).filter((v) => v.owner === owner);
  if (mine.length >= MAX_VIEWS_PER_OWNER) throw new AppError("conflict", `You have ${MAX_VIEWS_PER_OWNER} saved views; delete one first.`);
  const row = await s.createView({
    id: `view_${randomBytes(9).toString("base64url")}`,
    name: body.name,
    page: body.page,
    query: normaliseViewQuery(body.query),
    owner,
    shared: body.shared,
  });
  await recordAudit(actor, "view.create", row.id, { name: row.name, page: row.page, shared: row.shared });
  return toView(row, owner);
}

/** Owners delete their views; admins delete any shared one. Another's private view does not exist for you (404). */
export async function deleteView(id: string, actor: TActor): Promise<void> {
  const owner = actorName(actor);
  const s = (await stores()).review;
  const v = await s.view(id);
  if (!v || (v.owner !== owner && !v.shared)) throw new AppError("not_found", `No saved view ${id}.`);
  if (v.owner !== owner && actor.role !== "admin") throw new AppError("forbidden", "Only its owner or an admin deletes a shared view.");
  await s.deleteView(id);
  await recordAudit(actor, "view.delete", id, { name: v.name });
}
