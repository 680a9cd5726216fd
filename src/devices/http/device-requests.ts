import { z } from 'zod';

export const pullQuery = z.strictObject({
  /** `true`: the bundle comes encrypted to the device key (JWE, ECDH-ES + A256GCM); P-256 device keys only. */
  encrypt: z.enum(['true', 'false']).optional(),
});

export const acknowledgementRequest = z.strictObject({
  ver: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  iat: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
