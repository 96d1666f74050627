import { describe, expect, it } from "vitest";
import { clientAddress, isAddressOrRange, PEER_HEADER, trustedProxies } from "@/lib/auth/client-address";

const headers = (peer: string | null, xff?: string) => {
  const h = new Headers();
  if (peer !== null) h.set(PEER_HEADER, peer);
  if (xff !== undefined) h.set("x-forwarded-for", xff);
  return h;
};

describe("clientAddress", () => {
  const none = trustedProxies([]);
  const proxies = trustedProxies(["10.0.0.0/8", "192.168.1.5", "fd00::/8"]);

  it("uses the socket's address and ignores X-Forwarded-For without trusted proxies", () => {
    expect(clientAddress(headers("203.0.113.9", "1.2.3.4"), none)).toBe("203.0.113.9");
    expect(clientAddress(headers("::ffff:203.0.113.9"), none)).toBe("203.0.113.9");
  });

  it("rotating X-Forwarded-For from an untrusted peer changes nothing", () => {
    const seen = new Set(["1.1.1.1", "2.2.2.2", "3.3.3.3"].map((x) => clientAddress(headers("198.51.100.7", x), proxies)));
    expect([...seen]).toEqual(["198.51.100.7"]);
  });

  it("behind trusted proxies takes the right-most hop that is not one", () => {
    expect(clientAddress(headers("10.0.0.2", "6.6.6.6, 203.0.113.9"), proxies)).toBe("203.0.113.9");
    expect(clientAddress(headers("10.0.0.2", "6.6.6.6, 203.0.113.9, 192.168.1.5"), proxies)).toBe("203.0.113.9");
    expect(clientAddress(headers("10.0.0.2", "203.0.113.9, 10.1.1.1"), proxies)).toBe("203.0.113.9");
    expect(clientAddress(headers("fd00::1", "2001:db8::7"), proxies)).toBe("2001:db8::7");
  });

  it("never lets a client-written value through: garbage stops the walk at the last vouched hop", () => {
    expect(clientAddress(headers("10.0.0.2", "evil, 10.9.9.9"), proxies)).toBe("10.9.9.9");
    expect(clientAddress(headers("10.0.0.2"), proxies)).toBe("10.0.0.2");
  });

  it("says unknown when no server layer recorded the peer", () => {
    expect(clientAddress(headers(null, "1.2.3.4"), none)).toBe("unknown");
  });

  it("validates trusted proxy entries", () => {
    for (const ok of ["10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "0.0.0.0/0"]) expect(isAddressOrRange(ok)).toBe(true);
    for (const bad of ["10.0.0.0/33", "fd00::/129", "proxy.local", "10.0.0/8", "1.2.3.4/8/1", ""]) expect(isAddressOrRange(bad)).toBe(false);
  });
});
