// The shape every /api/v1 handler takes: authenticate and authorize first (spec §8: before
// anything else), then the handler, with every throw mapped by the one error mapper.
import type { NextRequest } from "next/server";
import { requireActor, type TActor } from "@/lib/auth/authenticate";
import type { TPermission } from "@/lib/auth/roles";
import { assertStorableText, handleApiError } from "@/lib/http";

type TParams = Record<string, string>;
type THandler<P extends TParams> = (req: NextRequest, actor: TActor, params: P) => Promise<Response>;

export function apiRoute<P extends TParams = TParams>(permission: TPermission, handler: THandler<P>) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const actor = await requireActor(req, permission);
      const params = (await ctx.params) ?? ({} as P);
      assertStorableText(params);
      assertStorableText(Object.fromEntries(req.nextUrl.searchParams));
      return await handler(req, actor, params);
    } catch (error) {
      return handleApiError(error);
    }
  };
}
