// Reads of the server's signing keys for the API.
import { listServerKeys } from "./server-key";

export async function getLedgerKey() {
  const { current, firstSeenAt, keys } = await listServerKeys();
  return {
    kid: current.kid,
    thumbprint: current.kid,
    jwk: current.jwk,
    createdAt: current.createdAt,
    firstSeenAt,
    previous: keys.filter((k) => k.kid !== current.kid),
  };
}
