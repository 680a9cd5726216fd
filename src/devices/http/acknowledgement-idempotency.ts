import type { IdempotencyRecord } from '../../shared/infrastructure/event-mapping';
import { requestFingerprint } from '../../http/request-fingerprint';

/**
 * The idempotency record of an acknowledgement: a device retrying one (its answer was lost) gets
 * the first answer, whatever Idempotency-Key header it sent, because the key is the acknowledged
 * counter itself. The fingerprint is taken from the validated values, not the bytes received: a
 * repeat is the same `(ver, iat)` for the same battery, in whatever order the device's JSON
 * writer puts the members (JSON objects are unordered) and however it escapes the path. Before,
 * a retry with the members reordered was refused 422 as a reused key with another body.
 *
 * The canonical form is the request exactly as docs/key-bundle.md shows it and the reference
 * device sends it (`{"ver":…,"iat":…}` on the plain path), so acknowledgements recorded earlier by
 * such devices keep their fingerprints and are still recognised as repeats.
 */
export function acknowledgementIdempotency(
  serial: string,
  ack: { ver: number; iat: number },
): IdempotencyRecord {
  return {
    key: `ack:${ack.ver}.${ack.iat}`,
    fingerprint: requestFingerprint({
      method: 'POST',
      url: `/v1/devices/${serial}/acknowledgements`,
      body: { ver: ack.ver, iat: ack.iat },
    }),
  };
}
