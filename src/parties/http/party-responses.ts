import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';
import { pageOf } from '../../http/openapi/response-schemas';
import { registerPartyRequest } from './register-party.request';

nameSchema(registerPartyRequest, 'RegisterPartyRequest');

/** A registered party (src/parties/queries/party-read-model.ts). */
export const partySchema = nameSchema(
  z.strictObject({
    partyId: z.string(),
    name: z.string(),
    kind: z.string().meta({ examples: ['lessor'] }),
    registeredAt: z.string().meta({ format: 'date-time' }),
  }),
  'Party',
);

export const partyPageSchema = nameSchema(pageOf(partySchema), 'PartyPage');
