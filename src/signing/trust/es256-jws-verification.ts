import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';

/**
 * Verifies a compact JWS the service itself produced (a delegation, a root statement): ES256,
 * the expected `typ`, and the `kid` of the key it should come from. Devices run their own,
 * independent implementation (src/device-verifier); this one guards the service's own start.
 */
export async function verifyEs256Jws<T>(
  jws: string,
  signer: { kid: string; jwk: JWK },
  typ: string,
  what: string,
): Promise<T> {
  const header = decodeProtectedHeader(jws);
  if (header.typ !== typ) throw new Error(`${what}: typ is ${String(header.typ)}, expected ${typ}`);
  if (header.kid !== signer.kid)
    throw new Error(`${what}: signed by ${String(header.kid)}, expected ${signer.kid}`);
  try {
    const { payload } = await compactVerify(jws, await importJWK(signer.jwk, 'ES256'), {
      algorithms: ['ES256'],
    });
    return JSON.parse(new TextDecoder().decode(payload)) as T;
  } catch (error) {
    throw new Error(`${what}: signature does not verify (${(error as Error).message})`, {
      cause: error,
    });
  }
}
