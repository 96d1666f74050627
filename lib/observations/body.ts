// A request body as bytes, bounded: over `limit` bytes stops reading and answers 413 (whatever
// Content-Length says); a body that breaks off mid-stream is a 400. Never throws.
export type TBodyBytes = { ok: true; bytes: Buffer } | { ok: false; status: 400 | 413; reason: string };

export async function readBodyBytes(req: Request, limit: number): Promise<TBodyBytes> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return { ok: false, status: 413, reason: `the body is larger than ${limit} bytes` };
  if (!req.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, status: 413, reason: `the body is larger than ${limit} bytes` };
      }
      chunks.push(value);
    }
  } catch (e) {
    return { ok: false, status: 400, reason: `the body could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}
