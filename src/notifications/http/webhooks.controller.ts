import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query as QueryParams,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import { forbidden, notFound } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/oversight';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { COMMAND_PROBLEMS, commandAnswer } from '../../http/openapi/contract-presets';
import {
  registeredWebhookSchema,
  webhookDeliveryPageSchema,
  webhookEndpointPageSchema,
} from './webhook-responses';
import { Decide } from '../../command-handling/decide.command';
import type { CommandOutcome } from '../../command-handling/command-outcome';
import { EndpointParty } from '../application/endpoint-party';
import { webhookEndpointDecider } from '../domain/webhook-endpoint-decider';
import {
  webhookEndpointStreamId,
  type WebhookEndpointRegistered,
} from '../domain/webhook-endpoint-events';
import { HostAllowList } from '../delivery/host-allow-list';
import { acceptableWebhookUrl } from '../delivery/webhook-url';
import { WebhookSecrets } from '../delivery/webhook-secrets';
import { DELIVERY_OUTBOX, type DeliveryOutbox } from '../dispatch/delivery-outbox';
import {
  WEBHOOK_ENDPOINT_READ_MODEL,
  type WebhookEndpointReadModel,
  type WebhookEndpointView,
} from '../queries/webhook-endpoint-read-model';
import {
  DEFAULT_REVOKED_KEY_LIVE_AFTER_HOURS,
  deleteWebhookRequest,
  endpointParams,
  listDeliveriesQuery,
  listEndpointsQuery,
  registerWebhookRequest,
  type RegisterWebhookRequest,
} from './webhook-requests';

/** Endpoint ids derived from an Idempotency-Key (UUID v5), so a retry names the same endpoint. */
const ENDPOINT_ID_NAMESPACE = '6f0d3c5e-2f4b-4f57-9a53-3b8f4f0e9c21';

/** A party's webhook endpoints and what was delivered to them (docs/change-feed.md). */
@CommandApi('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly parties: EndpointParty,
    private readonly allowList: HostAllowList,
    private readonly secrets: WebhookSecrets,
    @Inject(WEBHOOK_ENDPOINT_READ_MODEL) private readonly endpoints: WebhookEndpointReadModel,
    @Inject(DELIVERY_OUTBOX) private readonly outbox: DeliveryOutbox,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiContract({
    operationId: 'registerWebhook',
    summary:
      'Register an endpoint of your party for event kinds; the answer holds its signing secret, once',
    security: 'bearer',
    responses: [
      {
        status: 201,
        description: 'Registered; the secret is shown this once',
        body: registeredWebhookSchema,
      },
    ],
    problems: [400, 401, 403, 409, 413, 415, 422, 429, 503],
  })
  async register(
    @Body(new ZodValidation(registerWebhookRequest)) body: RegisterWebhookRequest,
    @CallOfCommand() call: CommandCall,
  ): Promise<CommandOutcome & { endpoint: WebhookEndpointView & { secret: string } }> {
    const url = acceptableWebhookUrl(body.url, this.allowList);
    const party = await this.parties.of(call.actor);
    const endpointId = endpointIdFor(call);
    const outcome = await this.commands.execute(
      new Decide(
        webhookEndpointStreamId(endpointId),
        webhookEndpointDecider,
        {
          type: 'RegisterWebhookEndpoint',
          endpointId,
          party,
          url,
          kinds: body.kinds,
          description: body.description ?? null,
          revokedKeyLiveAfterHours:
            body.revokedKeyLiveAfterHours ?? DEFAULT_REVOKED_KEY_LIVE_AFTER_HOURS,
          context: call.context(body.reason),
        },
        call.options,
      ),
    );
    // A replay answers with what the first attempt recorded, which names the endpoint it made.
    const registered = outcome.events[0]?.data as WebhookEndpointRegistered['data'] | undefined;
    if (!registered)
      throw notFound('webhook-endpoint-not-found', `No webhook endpoint ${endpointId}`);
    return {
      ...outcome,
      endpoint: {
        id: registered.endpointId,
        partyId: registered.partyId,
        url: registered.url,
        kinds: registered.kinds,
        description: registered.description,
        revokedKeyLiveAfterHours: registered.revokedKeyLiveAfterHours,
        registeredAt:
          this.endpoints.get(registered.endpointId)?.registeredAt ??
          call.context().now.toISOString(),
        secret: this.secrets.secretFor(registered.endpointId),
      },
    };
  }

  @Get()
  @ApiContract({
    operationId: 'listWebhooks',
    summary: "Your party's endpoints (the platform's oversight: any party's)",
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: webhookEndpointPageSchema }],
    problems: [400, 401, 403, 429, 503],
  })
  async list(
    @QueryParams(new ZodValidation(listEndpointsQuery, 'query'))
    query: z.infer<typeof listEndpointsQuery>,
    @CurrentActor() actor: Actor,
  ) {
    const partyId = query.party ?? actor.partyId;
    if (!hasOversight(actor)) {
      if (partyId !== actor.partyId)
        throw forbidden(
          'not-your-party',
          `You may list the webhook endpoints of your own party (${actor.partyId}) only`,
        );
      await this.parties.assertAdministers(actor);
    }
    return this.endpoints.listOf(partyId, query.cursor, query.limit);
  }

  @Delete(':endpointId')
  @ApiContract({
    operationId: 'deleteWebhook',
    summary: 'Delete an endpoint: nothing more is sent to it',
    security: 'bearer',
    requestName: 'DeleteWebhookRequest',
    responses: [commandAnswer(200, 'Deleted')],
    problems: COMMAND_PROBLEMS,
  })
  async remove(
    @Param(new ZodValidation(endpointParams, 'path'))
    { endpointId }: z.infer<typeof endpointParams>,
    @Body(new ZodValidation(deleteWebhookRequest)) body: z.infer<typeof deleteWebhookRequest>,
    @CallOfCommand() call: CommandCall,
  ): Promise<CommandOutcome> {
    const party = await this.parties.of(call.actor);
    const outcome = await this.commands.execute(
      new Decide(
        webhookEndpointStreamId(endpointId),
        webhookEndpointDecider,
        {
          type: 'DeleteWebhookEndpoint',
          endpointId,
          party,
          context: call.context(body?.reason),
        },
        call.options,
      ),
    );
    this.outbox.cancelPendingOf(endpointId);
    return outcome;
  }

  @Get(':endpointId/deliveries')
  @ApiContract({
    operationId: 'listWebhookDeliveries',
    summary: "An endpoint's deliveries, newest first: outcome, attempts, last status",
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: webhookDeliveryPageSchema }],
    problems: [400, 401, 403, 404, 429, 503],
  })
  async deliveries(
    @Param(new ZodValidation(endpointParams, 'path'))
    { endpointId }: z.infer<typeof endpointParams>,
    @QueryParams(new ZodValidation(listDeliveriesQuery, 'query'))
    query: z.infer<typeof listDeliveriesQuery>,
    @CurrentActor() actor: Actor,
  ) {
    const endpoint = this.endpoints.get(endpointId);
    const oversight = hasOversight(actor);
    // Another party's endpoint is as unknown as a missing one.
    if (!endpoint || (!oversight && endpoint.partyId !== actor.partyId))
      throw notFound('webhook-endpoint-not-found', `No webhook endpoint ${endpointId}`);
    if (!oversight) await this.parties.assertAdministers(actor);
    return this.outbox.listOf(endpointId, query.cursor, query.limit);
  }
}

/** From the Idempotency-Key when there is one (a retry names the same endpoint), else random. */
function endpointIdFor(call: CommandCall): string {
  const key = call.options.idempotency?.key;
  const uuid = key
    ? uuidv5(`${call.actor.partyId}\n${call.actor.personId}\n${key}`, ENDPOINT_ID_NAMESPACE)
    : randomUUID();
  return `wh_${uuid.replace(/-/g, '')}`;
}
