import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import {
  BATTERY_READ_MODEL,
  type BatteryReadModel,
} from '../../batteries/queries/battery-read-model';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import { serialParams } from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { BATTERY_READ_PROBLEMS } from '../../http/openapi/contract-presets';
import { BUNDLE_JWS_EXAMPLE } from '../../http/openapi/examples';
import { BUNDLE_SERVICE, type BundleService } from '../application/bundle.service';
import { bundleHeaders } from './bundle-headers';
import { ifNoneMatchNames } from './if-none-match';

/** RFC 7519's media type: the body is the compact JWS itself. */
export const JWT_MEDIA_TYPE = 'application/jwt';

/** The headers of every bundle answer (see bundleHeaders), as documented. */
const BUNDLE_HEADERS = {
  ETag: { description: 'Names this bundle (version and issue time): send it as If-None-Match' },
  'Cache-Control': { description: 'no-cache: ask again, with If-None-Match' },
  'X-Bundle-Version': {
    description: 'The bundle version',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
};

@ApiTags('bundles')
@Controller('v1/batteries')
export class BundleController {
  constructor(
    @Inject(BUNDLE_SERVICE) private readonly bundles: BundleService,
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
  ) {}

  @Get(':serial/bundle')
  @ApiContract({
    operationId: 'getBundle',
    summary:
      "The battery's current signed key bundle (compact JWS); 304 when If-None-Match names it",
    security: 'bearer',
    headers: [
      {
        name: 'If-None-Match',
        description: 'The ETag of the bundle held; 304 if it is still current',
      },
    ],
    responses: [
      {
        status: 200,
        description:
          'The signed bundle (RFC 7519 compact JWS); docs/key-bundle.md says how to verify it',
        body: 'text',
        mediaType: JWT_MEDIA_TYPE,
        headers: BUNDLE_HEADERS,
        example: BUNDLE_JWS_EXAMPLE,
      },
      {
        status: 304,
        description: 'If-None-Match names the current bundle',
        headers: BUNDLE_HEADERS,
      },
    ],
    problems: BATTERY_READ_PROBLEMS,
  })
  async pull(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentActor() actor: Actor,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const battery = this.batteries.readableFactsBy(serial, actor);
    // Unchanged: answered from a few columns, nothing parsed or signed.
    const head = this.bundles.head(battery);
    if (ifNoneMatchNames(ifNoneMatch, head.etag)) {
      await reply.status(304).headers(bundleHeaders(head)).send();
      return;
    }
    const bundle = await this.bundles.bundleFor(battery);
    await reply
      .status(200)
      .headers(bundleHeaders(bundle))
      .header('content-type', JWT_MEDIA_TYPE)
      .send(bundle.jws);
  }
}
