import { base64url, type JWK } from 'jose';

/** DER of the named-curve OID 1.2.840.10045.3.1.7 (P-256), as CKA_EC_PARAMS holds it. */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

const COORDINATE_BYTES = 32;
const UNCOMPRESSED_POINT = 0x04;
const DER_OCTET_STRING = 0x04;
const UNCOMPRESSED_POINT_BYTES = 1 + 2 * COORDINATE_BYTES;

/**
 * CKA_EC_POINT → public JWK. PKCS#11 v2.40 says the point is a DER OCTET STRING around the
 * uncompressed point (04 || X || Y); some tokens return the bare point, so both are accepted.
 */
export function ecPointToJwk(ecPoint: Buffer, ecParams: Buffer): JWK {
  if (!ecParams.equals(P256_EC_PARAMS))
    throw new Error('The HSM key is not on curve P-256 (CKA_EC_PARAMS)');
  let point = ecPoint;
  if (
    point.length === UNCOMPRESSED_POINT_BYTES + 2 &&
    point[0] === DER_OCTET_STRING &&
    point[1] === UNCOMPRESSED_POINT_BYTES
  ) {
    point = point.subarray(2);
  }
  if (point.length !== UNCOMPRESSED_POINT_BYTES || point[0] !== UNCOMPRESSED_POINT) {
    throw new Error('CKA_EC_POINT is not an uncompressed P-256 point');
  }
  return {
    kty: 'EC',
    crv: 'P-256',
    x: base64url.encode(point.subarray(1, 1 + COORDINATE_BYTES)),
    y: base64url.encode(point.subarray(1 + COORDINATE_BYTES)),
  };
}
