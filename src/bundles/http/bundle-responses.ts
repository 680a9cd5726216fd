import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';

const jwk = z.record(z.string(), z.unknown());

/** GET /.well-known/jwks.json: the keys that sign bundles now. */
export const jwksSchema = nameSchema(
  z.strictObject({ keys: z.array(jwk).meta({ description: 'ES256 public JWKs with kid' }) }),
  'Jwks',
);

const rootKey = z.strictObject({ kid: z.string(), jwk });

/** GET /.well-known/bundle-trust.json: the chain of trust (docs/key-bundle.md). */
export const bundleTrustSchema = nameSchema(
  z.strictObject({
    firstRoot: rootKey.meta({ description: 'Version 1 of the root, pinned at manufacture' }),
    currentRoot: rootKey.extend({ version: z.number().int().min(1) }),
    rootChain: z.array(z.string()).meta({ description: 'Root rotation statements, oldest first' }),
    delegation: z.string().meta({ description: 'The root’s statement naming the signing keys' }),
    delegationVersion: z.number().int().min(1),
  }),
  'BundleTrust',
);
