import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query as QueryParams,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { PublicRoute } from '../../auth/bearer-auth.guard';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { serialParams } from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { commandAnswer } from '../../http/openapi/contract-presets';
import { ENVELOPE_EXAMPLE } from '../../http/openapi/examples';
import { bundleEnvelopeSchema } from './device-responses';
import {
  BUNDLE_SERVICE,
  type BundleHead,
  type BundleService,
} from '../../bundles/application/bundle.service';
import { bundleEnvelope, type BundleEnvelope } from '../../bundles/bundle-envelope';
import { assertCanEncryptFor, encryptBundleForDevice } from '../../bundles/bundle-encryption';
import { ifNoneMatchNames } from '../../bundles/http/if-none-match';
import { BUNDLE_TRUST, type BundleTrust } from '../../signing/trust/bundle-trust';
import { DeviceProofError } from '../authentication/device-proof.error';
import { Decide } from '../../command-handling/decide.command';
import { deviceDecider } from '../domain/device-decider';
import { deviceStreamId } from '../domain/device-events';
import { BUNDLE_CHANGES, type BundleChanges } from '../sync/bundle-changes';
import {
  DEVICE_SYNC_READ_MODEL,
  type DeviceSyncReadModel,
} from '../queries/device-sync-read-model';
import { acknowledgementIdempotency } from './acknowledgement-idempotency';
import { acknowledgementRequest, pullQuery } from './device-requests';
import { CurrentDevice, DeviceProofGuard, type AuthenticatedDevice } from './device-proof.guard';
import { DeviceProofErrorFilter } from './device-proof-error.filter';
import { preferredWaitSeconds } from './long-poll';

/** The headers of every bundle answer to a device (see deviceBundleHeaders), as documented. */
const DEVICE_BUNDLE_HEADERS = {
  ETag: { description: 'Names this bundle: send it as If-None-Match on the next pull' },
  'Cache-Control': { description: 'no-store' },
  'X-Bundle-Version': {
    description: 'The bundle version',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  'Preference-Applied': { description: 'wait=N when the request waited for a change' },
};

/**
 * What a battery itself calls: pull its bundle (ETag/304, optional long-poll and encryption) and
 * acknowledge the one it applied. Authenticated by the device's proof, never by a person's token.
 */
@ApiTags('devices')
@PublicRoute()
@UseGuards(DeviceProofGuard)
@UseFilters(DeviceProofErrorFilter)
@Controller('v1/devices')
export class DeviceSyncController {
  constructor(
    @Inject(BUNDLE_SERVICE) private readonly bundles: BundleService,
    @Inject(BUNDLE_TRUST) private readonly trust: BundleTrust,
    @Inject(BUNDLE_CHANGES) private readonly changes: BundleChanges,
    @Inject(DEVICE_SYNC_READ_MODEL) private readonly sync: DeviceSyncReadModel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandBus,
  ) {}

  @Get(':serial/bundle')
  @ApiContract({
    operationId: 'pullDeviceBundle',
    summary:
      'The battery pulls its bundle with the chain of trust; 304 when If-None-Match names it; Prefer: wait=N waits for a change',
    security: 'device-proof',
    headers: [
      { name: 'If-None-Match', description: 'The ETag of the bundle the device holds' },
      {
        name: 'Prefer',
        description:
          'wait=N: hold the request up to N seconds (bounded) until a newer bundle exists',
        example: 'wait=30',
      },
    ],
    responses: [
      {
        status: 200,
        description: 'The bundle envelope',
        body: bundleEnvelopeSchema,
        headers: DEVICE_BUNDLE_HEADERS,
        example: ENVELOPE_EXAMPLE,
      },
      {
        status: 304,
        description: 'The device already holds the current bundle',
        headers: DEVICE_BUNDLE_HEADERS,
      },
    ],
    problems: [400, 401, 422, 429, 503],
  })
  async pull(
    @Param(new ZodValidation(serialParams, 'path')) _params: z.infer<typeof serialParams>,
    @QueryParams(new ZodValidation(pullQuery, 'query')) query: z.infer<typeof pullQuery>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @CurrentDevice() device: AuthenticatedDevice,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const deviceKey = device.battery.deviceKey;
    // Checked before any waiting: an impossible request is refused at once, never downgraded to plaintext.
    const encrypt = query.encrypt === 'true';
    if (encrypt) assertCanEncryptFor(deviceKey);
    const waitSeconds = preferredWaitSeconds(prefer, this.config.DEVICE_LONG_POLL_MAX_SECONDS);
    let head = this.bundles.head(device.battery);
    if (waitSeconds > 0 && ifNoneMatchNames(ifNoneMatch, head.etag)) {
      head = await this.waitForNewer(head, ifNoneMatch, waitSeconds * 1000, reply);
      void reply.header('preference-applied', `wait=${waitSeconds}`);
    }
    // Unchanged: answered from a few columns, nothing parsed or signed.
    if (ifNoneMatchNames(ifNoneMatch, head.etag)) {
      await reply.status(304).headers(deviceBundleHeaders(head)).send();
      return;
    }
    const bundle = await this.bundles.bundleFor(this.bundles.currentFacts(head.serial));
    void reply.headers(deviceBundleHeaders(bundle));
    const body = encrypt ? await encryptBundleForDevice(bundle.jws, deviceKey) : bundle.jws;
    const envelope: BundleEnvelope = bundleEnvelope(body, this.trust);
    await reply
      .status(200)
      .header('content-type', 'application/json; charset=utf-8')
      .send(envelope);
  }

  @Post(':serial/acknowledgements')
  @HttpCode(201)
  @ApiContract({
    operationId: 'acknowledgeBundle',
    summary:
      'The battery acknowledges the bundle it applied (ver, iat); recorded as BundleApplied, never advances the version',
    security: 'device-proof',
    responses: [commandAnswer(201, 'Recorded')],
    problems: [400, 401, 409, 413, 415, 429, 503],
  })
  async acknowledge(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @Body(new ZodValidation(acknowledgementRequest)) body: z.infer<typeof acknowledgementRequest>,
    @CurrentDevice() device: AuthenticatedDevice,
    @CallOfCommand() call: CommandCall,
  ) {
    const { claims, deviceKeyThumbprint } = device.proof;
    // The device signs what it acknowledges: a body changed on the way is refused.
    if (claims.ack?.ver !== body.ver || claims.ack?.iat !== body.iat) {
      throw new DeviceProofError(
        'device-proof-ack-mismatch',
        'The proof must carry the acknowledged ver and iat in its ack claim',
      );
    }
    const servedVersion = this.sync.servedVersion(serial, body.ver) ?? null;
    return this.commands.execute(
      new Decide(
        deviceStreamId(serial),
        deviceDecider,
        {
          type: 'AcknowledgeBundle',
          serial,
          ver: body.ver,
          iat: body.iat,
          servedVersion,
          deviceKeyThumbprint,
          proofId: claims.jti,
          context: call.context(),
        },
        // A device retrying an acknowledgement (its answer was lost) gets the first answer: the
        // idempotency key is the acknowledged counter itself, whatever header the device sent.
        {
          ...call.options,
          idempotency: acknowledgementIdempotency(serial, body),
        },
      ),
    );
  }

  /** Waits, without polling, until the projection signals a change that moves the ETag, or the time is up. */
  private async waitForNewer(
    held: BundleHead,
    ifNoneMatch: string | undefined,
    waitMs: number,
    reply: FastifyReply,
  ): Promise<BundleHead> {
    const deadline = Date.now() + waitMs;
    const disconnected = new AbortController();
    const onClose = () => disconnected.abort();
    reply.raw.once('close', onClose);
    try {
      let head = held;
      while (ifNoneMatchNames(ifNoneMatch, head.etag)) {
        const changed = await this.changes.waitForChange(
          head.serial,
          deadline - Date.now(),
          disconnected.signal,
        );
        if (!changed) break;
        head = this.bundles.currentHead(head.serial);
      }
      return head;
    } finally {
      reply.raw.off('close', onClose);
    }
  }
}

function deviceBundleHeaders(bundle: { etag: string; version: number }) {
  return {
    etag: bundle.etag,
    'x-bundle-version': String(bundle.version),
    'cache-control': 'no-store',
  };
}
