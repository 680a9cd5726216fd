import { z } from 'zod';
import { nameSchema } from '../http/openapi/schema-names';

/** GET /console/config.json (ConsoleSettings in console.controller.ts). */
export const consoleSettingsSchema = nameSchema(
  z.strictObject({
    oidc: z
      .strictObject({
        issuer: z.string(),
        clientId: z.string(),
        scope: z.string(),
        resource: z.string().nullable(),
      })
      .nullable(),
    localSignIn: z.boolean(),
  }),
  'ConsoleSettings',
);

/** POST /console/sign-in: a token of the embedded local issuer for the person the link names. */
export const consoleTokenSchema = nameSchema(
  z.strictObject({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
    personId: z.string(),
    partyId: z.string(),
    roles: z.array(z.string()),
  }),
  'ConsoleToken',
);
