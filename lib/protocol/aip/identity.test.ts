import { describe, expect, it } from "vitest";
import { encodeMultibase } from "./encoding";
import { judgeIdentityDocument, parseAipId, pythonSigningInput, referenceDocumentVerdict } from "./identity";
import { makeAipKey, NOW, signedDocument } from "./test-helpers";

const k1 = makeAipKey();
const k2 = makeAipKey();
const keys = [{ key: k1, id: "key-1" }];

describe("identity documents: the three signature forms", () => {
  for (const form of ["python", "draft", "rust"] as const) {
    it(`accepts the ${form} form and names it`, () => {
      const j = judgeIdentityDocument(signedDocument(keys, form), NOW);
      expect(j).toMatchObject({ ok: true, signatureForm: form, signedBy: "key-1", id: "aip:web:agents.example/alice" });
      if (j.ok) expect(j.keys[0]).toMatchObject({ kid: "key-1", validFrom: null, validUntil: null });
    });
  }

  it("python form: the reference's model drops unknown top-level fields and nulls, in key entries too", () => {
    const doc = signedDocument([{ key: k1, id: "key-1", valid_from: null }], "python", { unknown_field: 1, expires: null, extensions: { a: null } });
    expect(pythonSigningInput(doc)).not.toContain("unknown_field");
    expect(pythonSigningInput(doc)).not.toContain("valid_from");
    expect(pythonSigningInput(doc)).toContain('"extensions":{"a":null}');
    expect(judgeIdentityDocument(doc, NOW)).toMatchObject({ ok: true, signatureForm: "python" });
    expect(referenceDocumentVerdict(doc, NOW).verdict).toBe("valid");
  });

  it("python form escapes non-ASCII as \\uXXXX (ensure_ascii) and sorts keys", () => {
    const doc = signedDocument(keys, "python", { name: "Zoë 🤖" });
    expect(pythonSigningInput(doc)).toContain('"name":"Zo\\u00eb \\ud83e\\udd16"');
    expect(judgeIdentityDocument(doc, NOW)).toMatchObject({ ok: true, signatureForm: "python" });
  });

  it("each form decodes its signature strictly: another encoding of the same bytes does not verify", () => {
    // A non-ASCII name makes the three signed byte strings differ (Python escapes it, JCS and serde do not).
    const py = signedDocument(keys, "python", { name: "Zoë" });
    const raw = Buffer.from(py.document_signature as string, "base64");
    for (const variant of [
      raw.toString("base64url"),
      raw.toString("base64").replace(/=+$/, ""),
      raw.toString("hex").toUpperCase(),
      ` ${String(py.document_signature)}`,
    ]) {
      const j = judgeIdentityDocument({ ...py, document_signature: variant }, NOW);
      expect(j.ok, String(variant)).toBe(false);
    }
    const draft = signedDocument(keys, "draft", { name: "Zoë" });
    const draftRaw = Buffer.from(draft.document_signature as string, "base64url");
    expect(judgeIdentityDocument({ ...draft, document_signature: `${String(draft.document_signature)}==` }, NOW).ok).toBe(false);
    expect(judgeIdentityDocument({ ...draft, document_signature: draftRaw.toString("base64") }, NOW).ok).toBe(false);
    const rust = signedDocument(keys, "rust", { name: "Zoë" });
    expect(judgeIdentityDocument({ ...rust, document_signature: (rust.document_signature as string).toUpperCase() }, NOW).ok).toBe(false);
  });

  it("any listed key may sign for Delegraph (recorded); the reference checks the first only", () => {
    const doc = signedDocument(
      [
        { key: k1, id: "key-1" },
        { key: k2, id: "key-2" },
      ],
      "python",
      {},
      k2,
    );
    expect(judgeIdentityDocument(doc, NOW)).toMatchObject({ ok: true, signedBy: "key-2", aip: { verdict: "invalid", error: "SignatureInvalid" } });
  });
});

describe("identity documents: refusals (400) and the reference's verdict", () => {
  const refused = (doc: unknown, reason: RegExp) => {
    const j = judgeIdentityDocument(doc, NOW);
    expect(j.ok).toBe(false);
    if (!j.ok) expect(j.reason).toMatch(reason);
    return j;
  };

  it("unparseable, or missing id or public_keys", () => {
    refused("not an object", /not a JSON object/);
    refused({ ...signedDocument(keys, "python"), id: undefined }, /no "id"/);
    const j = refused({ ...signedDocument(keys, "python"), public_keys: [] }, /no "public_keys"/);
    expect(j.aip.error).toBe("SignatureInvalid");
    expect(refused({ ...signedDocument(keys, "python"), public_keys: "k" }, /public_keys/).aip.error).toBe("ValidationError");
  });

  it("a major version above 1: refused, VersionUnsupported", () => {
    const j = refused(signedDocument(keys, "python", { aip: "2.0" }), /not supported/);
    expect(j.aip.error).toBe("VersionUnsupported");
    expect(refused(signedDocument(keys, "python", { aip: "one" }), /does not parse/).aip.error).toBe("VersionUnsupported");
  });

  it("no form verifies: refused, SignatureInvalid", () => {
    const doc = signedDocument(keys, "python");
    const j = refused({ ...doc, name: "changed" }, /verifies under none/);
    expect(j.aip.error).toBe("SignatureInvalid");
    expect(refused({ ...doc, document_signature: undefined }, /not signed/).aip.error).toBe("SignatureInvalid");
  });

  it("expires in the past: refused, DocumentExpired (now >= expires)", () => {
    const at = new Date(NOW * 1000).toISOString();
    const j = refused(signedDocument(keys, "python", { expires: at }), /expired/);
    expect(j.aip.error).toBe("DocumentExpired");
  });

  it("no key valid now: refused, no_valid_key; windows are inclusive", () => {
    const past = "2020-01-01T00:00:00Z";
    const j = refused(signedDocument([{ key: k1, id: "key-1", valid_until: past }], "python"), /no key .* valid now/);
    expect(j.aip.error).toBe("no_valid_key");
    const edge = new Date(NOW * 1000).toISOString().replace(".000Z", "Z");
    expect(judgeIdentityDocument(signedDocument([{ key: k1, id: "key-1", valid_until: edge }], "python"), NOW).ok).toBe(true);
    expect(judgeIdentityDocument(signedDocument([{ key: k1, id: "key-1", valid_from: edge }], "python"), NOW).ok).toBe(true);
  });

  it("an aip:key document whose key is not the identifier's (the reference does not check)", () => {
    const doc = signedDocument(keys, "python", { id: `aip:key:ed25519:${k2.multibase}` });
    const j = refused(doc, /identifier's own key/);
    expect(j.aip.verdict).toBe("valid");
    expect(judgeIdentityDocument(signedDocument(keys, "python", { id: `aip:key:ed25519:${k1.multibase}` }), NOW).ok).toBe(true);
  });

  it("a key that is not a canonical large-order Ed25519 point, or not 32 bytes", () => {
    const small = new Uint8Array(32);
    small[0] = 1; // the neutral element
    const doc = signedDocument(keys, "python");
    const withSmall = {
      ...doc,
      public_keys: [...(doc.public_keys as object[]), { id: "bad", type: "Ed25519", public_key_multibase: encodeMultibase(small) }],
    };
    refused(withSmall, /large order/);
    refused({ ...doc, public_keys: [{ id: "k", type: "Ed25519", public_key_multibase: "z111" }] }, /32 bytes/);
  });

  it("protocols as an object is accepted, with the reference's ValidationError", () => {
    const j = judgeIdentityDocument(signedDocument(keys, "draft", { protocols: { mcp: { version: "1" } } }), NOW);
    expect(j).toMatchObject({ ok: true, signatureForm: "draft", aip: { error: "ValidationError" } });
    expect(judgeIdentityDocument(signedDocument(keys, "python", { protocols: [{ name: "mcp" }] }), NOW)).toMatchObject({
      ok: true,
      aip: { verdict: "valid" },
    });
  });

  it("ten thousand keys are refused quickly, and the reference's verdict still comes back", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ id: `k${i}`, type: "Ed25519", public_key_multibase: k1.multibase }));
    const started = Date.now();
    const j = judgeIdentityDocument({ aip: "1.0", id: "aip:web:a.example/x", public_keys: many, document_signature: "AA==" }, NOW);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(j.ok).toBe(false);
    expect(j.aip.error).toBe("SignatureInvalid");
  });

  it("hostile values never throw", () => {
    for (const doc of [
      null,
      5,
      [],
      { id: {}, public_keys: [null] },
      { aip: "1", id: "aip:web:x", public_keys: [{ id: "a", type: "Ed25519", public_key_multibase: "z\u0000" }], document_signature: "\ud800" },
    ])
      expect(() => judgeIdentityDocument(doc, NOW)).not.toThrow();
  });
});

describe("AIP identifiers", () => {
  it("parses aip:web and aip:key ids; refuses others", () => {
    expect(parseAipId("aip:web:agents.example/alice")).toMatchObject({ ok: true, value: { scheme: "web" } });
    expect(parseAipId(`aip:key:ed25519:${k1.multibase}`)).toMatchObject({ ok: true, value: { scheme: "key" } });
    expect(parseAipId("user:alice")).toMatchObject({ ok: false, code: "unknown_principal" });
    expect(parseAipId(`aip:key:secp256k1:${k1.multibase}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseAipId("aip:key:ed25519:z0OIl")).toMatchObject({ ok: false, code: "malformed" });
  });
});
