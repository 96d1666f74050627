// Who is signing in, for the per-address sign-in limit. The socket's address comes from
// scripts/server.mjs (`x-delegraph-peer`, which no client can set). X-Forwarded-For is believed
// only when the socket belongs to a proxy that DELEGRAPH_TRUSTED_PROXIES names, and then only up
// to the right-most hop that is not a trusted proxy: every hop to its left was written by the
// client and proves nothing.
import { BlockList, isIP } from "node:net";

export const PEER_HEADER = "x-delegraph-peer";

/** An IPv4 address, IPv6 address or CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** The proxies to trust, from DELEGRAPH_TRUSTED_PROXIES' comma-separated entries (validated by lib/env.ts). */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** `::ffff:10.1.2.3` is the IPv4 address 10.1.2.3 reaching an IPv6 socket. */
function normalise(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1] : trimmed.toLowerCase();
}

function isTrusted(address: string, proxies: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the socket's peer, or, when the peer is a trusted proxy, the right-most
 * X-Forwarded-For hop that is not one. "unknown" when the server runs without scripts/server.mjs.
 */
export function clientAddress(headers: Headers, proxies: BlockList): string {
  const peer = normalise(headers.get(PEER_HEADER) ?? "");
  if (!peer) return "unknown";
  if (!isTrusted(peer, proxies)) return peer;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map(normalise).filter(Boolean);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (isIP(hop) === 0) break; // a client-written value: stop at the last hop a proxy vouched for
    client = hop;
    if (!isTrusted(hop, proxies)) break;
  }
  return client;
}
