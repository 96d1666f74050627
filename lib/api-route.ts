// The shape every /api/v1 handler takes: authenticate and authorize first (spec §8: before
// anything else), then the handler, with every throw mapped by the one error mapper.
import type { NextRequest } from "next/server";
import { requireActor, type TActor } from "@/lib/auth/authenticate";
import type { TPermission } from "@/lib/auth/roles";
import { AppError, assertStorableText, handleApiError } from "@/lib/http";

const BAD_PATH_HEADER = "x-delegraph-bad-path";

type TParams = Record<string, string>;
type THandler<P extends TParams> = (req: NextRequest, actor: TActor, params: P) => Promise<Response>;

export function apiRoute<P extends TParams = TParams>(permission: TPermission, handler: THandler<P>) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const actor = await requireActor(req, permission);
      // scripts/server.mjs marks a path that was not UTF-8 percent-encoding (and passes it on as text).
      if (req.headers.get(BAD_PATH_HEADER) !== null) throw new AppError("invalid_request", "The URL path is not valid UTF-8 percent-encoding.");
      const params = (await ctx.params) ?? ({} as P);
      assertStorableText(params);
      assertStorableText(Object.fromEntries(req.nextUrl.searchParams));
      return await handler(req, actor, params);
    } catch (error) {
      return handleApiError(error);
    }
  };
}
