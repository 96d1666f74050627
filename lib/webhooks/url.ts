// Which URLs a webhook may post to (docs/review.md#webhooks). Receivers are admin-managed, but the
// server must not be turned against its own network: without DELEGRAPH_WEBHOOK_ALLOW_PRIVATE=1 a
// URL must be https, and its host must not be (or, at delivery time, resolve to) a loopback,
// private, link-local, shared or reserved address. With the flag (tests, single-host installs) any
// http or https URL is accepted. Credentials in the URL are refused either way: the URL is listed
// to every admin, and the signature is how a receiver knows the sender.
import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  BLOCKED.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
] as const)
  BLOCKED.addSubnet(net, prefix, "ipv6");

/** A loopback, private, link-local, shared, documentation, multicast or reserved address. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const kind = isIP(bare);
  if (kind === 4) return BLOCKED.check(bare, "ipv4");
  if (kind === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return BLOCKED.check(mapped[1], "ipv4");
    return BLOCKED.check(bare, "ipv6");
  }
  return false;
}

export type TUrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** The URL as stored, or why it is refused. Names are checked again when a delivery resolves them. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): TUrlCheck {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, message: "url must be an absolute http(s) URL." };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    return { ok: false, message: "url must be https (or http with DELEGRAPH_WEBHOOK_ALLOW_PRIVATE=1)." };
  if (u.username || u.password)
    return { ok: false, message: "url must not carry credentials; receivers check the Delegraph-Signature header instead." };
  if (u.hash) return { ok: false, message: "url must not have a #fragment." };
  if (allowPrivate) return { ok: true, url: u.toString() };
  if (u.protocol !== "https:") return { ok: false, message: "url must be https (http only with DELEGRAPH_WEBHOOK_ALLOW_PRIVATE=1)." };
  const host = u.hostname.toLowerCase();
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal") ||
    (!host.includes(".") && isIP(host.replace(/^\[|\]$/g, "")) === 0)
  )
    return { ok: false, message: "url must name a public host (DELEGRAPH_WEBHOOK_ALLOW_PRIVATE=1 allows private ones)." };
  if (isPrivateAddress(host))
    return { ok: false, message: "url must not be a private, loopback or reserved address (DELEGRAPH_WEBHOOK_ALLOW_PRIVATE=1 allows them)." };
  return { ok: true, url: u.toString() };
}

/** At delivery time: refuses a host that resolves to a private address (a public name can point anywhere). */
export async function checkResolvedHost(url: string, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return isPrivateAddress(host) ? "the host is a private address" : null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (e) {
    return `the host does not resolve (${(e as NodeJS.ErrnoException).code ?? "DNS error"})`;
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad ? `the host resolves to a private address (${bad.address})` : null;
}
