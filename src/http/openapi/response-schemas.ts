import { z } from 'zod';
import { nameSchema } from './schema-names';

/**
 * Response shapes every context shares. Objects are strict: the e2e contract test parses real
 * answers with these schemas, so a field the service adds without documenting it fails there.
 */

/** What every command answers (src/command-handling/command-outcome.ts). */
export const commandOutcomeSchema = nameSchema(
  z
    .strictObject({
      streamId: z.string().meta({ examples: ['battery-TT2-0001'] }),
      revision: z.number().int().min(-1).meta({
        description: 'Revision of the stream after the command: send it as If-Match next time',
      }),
      position: z.string().regex(/^\d+$/).meta({
        description:
          'Global position of the last event: send it as X-Min-Position to read your write on any instance',
      }),
      events: z.array(
        z.strictObject({
          id: z.string(),
          type: z.string().meta({ examples: ['KeyIssued'] }),
          revision: z.number().int().min(0),
          data: z.record(z.string(), z.unknown()).meta({ description: 'The event as recorded' }),
        }),
      ),
      replayed: z.boolean().meta({
        description: 'True when this repeats the first answer to the same Idempotency-Key',
      }),
    })
    .meta({ description: 'The events a command recorded, and where' }),
  'CommandOutcome',
);

/** One page of a keyset-paged list (src/read-model/page.ts). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({
      description: 'Pass back as `cursor` for the next page; null on the last page',
    }),
  });

/** A fingerprinted public key as recorded (src/shared/domain/public-key.ts). */
export const recordedPublicKeySchema = nameSchema(
  z.strictObject({
    jwk: z.record(z.string(), z.string()).meta({ description: 'The members that define the key' }),
    thumbprint: z.string().meta({ description: 'RFC 7638 SHA-256 thumbprint (base64url)' }),
  }),
  'RecordedPublicKey',
);

/** Who did something, as recorded: the one role that authorised it. */
export const recordedActorSchema = nameSchema(
  z.strictObject({ personId: z.string(), partyId: z.string(), role: z.string() }),
  'RecordedActor',
);
