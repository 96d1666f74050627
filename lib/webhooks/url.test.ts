import { describe, expect, it } from "vitest";
import { checkResolvedHost, checkWebhookUrl, isPrivateAddress } from "./url";

describe("webhook URLs", () => {
  it("accepts public https URLs as they are", () => {
    expect(checkWebhookUrl("https://hooks.example.com/delegraph?team=sec", false)).toEqual({
      ok: true,
      url: "https://hooks.example.com/delegraph?team=sec",
    });
    expect(checkWebhookUrl("https://93.184.216.34/hook", false).ok).toBe(true);
  });

  it("refuses http, loopback, private and reserved hosts unless private receivers are allowed", () => {
    for (const url of [
      "http://hooks.example.com/x",
      "https://localhost/x",
      "https://127.0.0.1:8443/x",
      "https://10.1.2.3/x",
      "https://172.20.0.1/x",
      "https://192.168.1.10/x",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://intranet/x",
      "https://db.internal/x",
    ]) {
      expect(checkWebhookUrl(url, false).ok, url).toBe(false);
      expect(checkWebhookUrl(url, true).ok, url).toBe(true);
    }
  });

  it("refuses other schemes, credentials and fragments even when private receivers are allowed", () => {
    for (const url of [
      "ftp://hooks.example.com/x",
      "file:///etc/passwd",
      "https://user:pw@hooks.example.com/x",
      "https://hooks.example.com/x#frag",
      "not a url",
    ])
      expect(checkWebhookUrl(url, true).ok, url).toBe(false);
  });

  it("knows the private ranges of both address families", () => {
    expect(
      ["10.0.0.1", "100.64.0.1", "127.0.0.1", "0.0.0.0", "169.254.1.1", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1"].every(
        isPrivateAddress,
      ),
    ).toBe(true);
    expect(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "hooks.example.com"].some(isPrivateAddress)).toBe(false);
  });

  it("at delivery time refuses a literal private address and lets anything through with the flag", async () => {
    expect(await checkResolvedHost("https://127.0.0.1/x", false)).toMatch(/private address/);
    expect(await checkResolvedHost("https://localhost/x", false)).toMatch(/private address|does not resolve/);
    expect(await checkResolvedHost("http://127.0.0.1:9/x", true)).toBeNull();
  });
});
