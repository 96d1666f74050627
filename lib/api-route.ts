// The shape every /api/v1 handler takes: authenticate and authorize first (docs/protocol.md §8: before
// anything else), then the query and the JSON body parsed with the route's schemas, then the
// handler with the parsed values; every throw is mapped by the one error mapper.
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { requireActor, type TActor } from "@/lib/auth/authenticate";
import type { TPermission } from "@/lib/auth/roles";
import { searchParamsObject } from "@/lib/contracts/common";
import { AppError, assertStorableText, handleApiError, readJson } from "@/lib/http";

const BAD_PATH_HEADER = "x-delegraph-bad-path";

type TParams = Record<string, string>;

export type TRouteSpec<Q, B> = {
  permission: TPermission;
  /** the query parameters (empty ones ignored); a mismatch is a 400 */
  query?: z.ZodType<Q>;
  /** the JSON body (≤ 1 MiB, ≤ 32 levels deep); a mismatch is a 400 */
  body?: z.ZodType<B>;
};

export type TRouteContext<P, Q, B> = { req: NextRequest; actor: TActor; params: P; query: Q; body: B };

export function apiRoute<P extends TParams = TParams, Q = undefined, B = undefined>(
  spec: TRouteSpec<Q, B>,
  handler: (ctx: TRouteContext<P, Q, B>) => Promise<Response>,
) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const actor = await requireActor(req, spec.permission);
      // scripts/server.mjs marks a path that was not UTF-8 percent-encoding (and passes it on as text).
      if (req.headers.get(BAD_PATH_HEADER) !== null) throw new AppError("invalid_request", "The URL path is not valid UTF-8 percent-encoding.");
      const params = (await ctx.params) ?? ({} as P);
      assertStorableText(params);
      const raw = searchParamsObject(req.nextUrl.searchParams);
      assertStorableText(raw);
      const query = (spec.query ? spec.query.parse(raw) : undefined) as Q;
      const body = (spec.body ? await readJson(req, spec.body) : undefined) as B;
      return await handler({ req, actor, params, query, body });
    } catch (error) {
      return handleApiError(error);
    }
  };
}
