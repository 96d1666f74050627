// The physical reference for ingest: how many Ed25519 signatures this machine verifies per second
// on one core with node:crypto's synchronous verify, keys already imported, over pre-signed tokens.
import { verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { splitSigned } from "./tokens";

export type TRawVerify = { perSec: number; verified: number; seconds: number };

export function rawVerifyRate(signed: { token: string; key: KeyObject }[], minSeconds: number): TRawVerify {
  const items = signed.map(({ token, key }) => ({ ...splitSigned(token), key }));
  for (const it of items.slice(0, 200)) verify(null, it.data, it.key, it.signature); // warm-up
  let verified = 0;
  const started = performance.now();
  const deadline = started + minSeconds * 1000;
  do {
    for (const it of items) {
      if (!verify(null, it.data, it.key, it.signature)) throw new Error("a benchmark token did not verify");
    }
    verified += items.length;
  } while (performance.now() < deadline);
  const seconds = (performance.now() - started) / 1000;
  return { perSec: Math.round(verified / seconds), verified, seconds };
}
