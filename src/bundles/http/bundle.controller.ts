import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
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
import { BUNDLE_SERVICE, type BundleService } from '../application/bundle.service';
import { ifNoneMatchNames } from './if-none-match';

/** RFC 7519's media type: the body is the compact JWS itself. */
export const JWT_MEDIA_TYPE = 'application/jwt';

@ApiTags('bundles')
@ApiBearerAuth()
@Controller('v1/batteries')
export class BundleController {
  constructor(
    @Inject(BUNDLE_SERVICE) private readonly bundles: BundleService,
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
  ) {}

  @Get(':serial/bundle')
  @ApiOperation({
    summary:
      "The battery's current signed key bundle (compact JWS); 304 when If-None-Match names it",
  })
  @ApiProduces(JWT_MEDIA_TYPE)
  @ApiHeader({ name: 'If-None-Match', required: false })
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

function bundleHeaders(bundle: { etag: string; version: number }) {
  return {
    etag: bundle.etag,
    'cache-control': 'no-cache',
    'x-bundle-version': String(bundle.version),
  };
}
