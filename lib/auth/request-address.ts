// The client address of a request, with the configured trusted proxies (lib/auth/client-address.ts).
import type { BlockList } from "node:net";
import { env } from "@/lib/env";
import { clientAddress, trustedProxies } from "@/lib/auth/client-address";

let proxies: BlockList | undefined;

export function requestAddress(req: Request): string {
  proxies ??= trustedProxies(env().DELEGRAPH_TRUSTED_PROXIES);
  return clientAddress(req.headers, proxies);
}
