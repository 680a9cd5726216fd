import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import {
  issueKeyRequest,
  proposeParameterChangeRequest,
  provisionBatteryRequest,
} from '../batteries/http/battery-requests';
import { policyDocumentSchema } from '../policy/http/policy-requests';
import { publicJwkSchema, toPublicKey } from './public-key';
import { RequestValidationError } from './request-validation.error';
import { ZodValidation } from './zod-validation';

/** Whatever arrives, a parser answers with a value or a RequestValidationError, never anything else. */
describe('request parsers under arbitrary input', () => {
  const parsers = [
    provisionBatteryRequest,
    issueKeyRequest,
    proposeParameterChangeRequest,
    policyDocumentSchema,
  ].map((schema) => new ZodValidation(schema));

  it('refuse garbage with a RequestValidationError naming fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...parsers), (input, parser) => {
        try {
          parser.transform(input);
        } catch (error) {
          expect(error).toBeInstanceOf(RequestValidationError);
          expect((error as RequestValidationError).errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuse objects with one extra field, whatever its name', () => {
    const valid = { parameters: { socMinPercent: 5 } };
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 20 })
          .filter(
            (k) => !['proposalId', 'parameters', 'expiresAt', 'reason', '__proto__'].includes(k),
          ),
        fc.jsonValue(),
        (key, value) => {
          expect(() =>
            new ZodValidation(proposeParameterChangeRequest).transform({ ...valid, [key]: value }),
          ).toThrow(RequestValidationError);
        },
      ),
    );
  });

  it('accept every real P-256 and Ed25519 public key and fingerprint it stably', async () => {
    for (const type of ['ec', 'ed25519'] as const) {
      for (let i = 0; i < 10; i++) {
        const { publicKey } =
          type === 'ec'
            ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
            : generateKeyPairSync('ed25519');
        const jwk = publicJwkSchema.parse(publicKey.export({ format: 'jwk' }));
        const first = await toPublicKey(jwk, 'key');
        expect(first.thumbprint).toBe(await calculateJwkThumbprint(jwk));
        // The second time from the cache of keys found strong: the same answer.
        expect(await toPublicKey({ ...jwk, kid: 'ignored' }, 'key')).toEqual(first);
      }
    }
  });

  it('checks a key again when any member that defines it differs from a key found strong', async () => {
    const strong = publicJwkSchema.parse(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
    );
    const other = publicJwkSchema.parse(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
    );
    if (strong.kty !== 'EC' || other.kty !== 'EC') throw new Error('EC keys expected');
    await toPublicKey(strong, 'key');
    // The same x with another key's y: not a point of the curve, whatever was cached for x.
    await expect(toPublicKey({ ...strong, y: other.y }, 'key')).rejects.toThrow();
    await expect(toPublicKey({ ...other, x: strong.x }, 'key')).rejects.toThrow();
  });
});
