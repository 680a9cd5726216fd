import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '../../auth/bearer-auth.guard';
import { BUNDLE_SIGNER, type BundleSigner } from '../../signing/bundle-signer.port';

@ApiTags('bundles')
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(BUNDLE_SIGNER) private readonly signer: BundleSigner) {}

  @Get('jwks.json')
  @PublicRoute()
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys that sign key bundles' })
  jwks() {
    return { keys: this.signer.publicJwks() };
  }
}
