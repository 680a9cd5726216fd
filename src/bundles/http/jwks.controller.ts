import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { bundleTrustSchema, jwksSchema } from './bundle-responses';
import { PublicRoute } from '../../auth/bearer-auth.guard';
import { BUNDLE_TRUST, type BundleTrust } from '../../signing/trust/bundle-trust';

const epochSeconds = () => Math.floor(Date.now() / 1000);

/** The JWKS as sent, made once per second: the keys only change with time (their nbf and exp). */
interface ServedJwks {
  second: number;
  body: string;
}

@ApiTags('bundles')
@Controller('.well-known')
export class JwksController {
  private served: ServedJwks | undefined;

  constructor(@Inject(BUNDLE_TRUST) private readonly trust: BundleTrust) {}

  @Get('jwks.json')
  @PublicRoute()
  @Header('cache-control', 'public, max-age=300')
  @Header('content-type', 'application/json; charset=utf-8')
  @ApiContract({
    operationId: 'getJwks',
    summary: 'Public keys that sign key bundles now (the online keys the root delegates to)',
    security: 'public',
    responses: [{ status: 200, description: 'OK', body: jwksSchema }],
    problems: [429],
  })
  jwks(): string {
    const second = epochSeconds();
    if (this.served?.second !== second)
      this.served = { second, body: JSON.stringify({ keys: this.trust.publicJwks(second) }) };
    return this.served.body;
  }

  @Get('bundle-trust.json')
  @PublicRoute()
  @Header('cache-control', 'public, max-age=300')
  @ApiContract({
    operationId: 'getBundleTrust',
    summary:
      'The chain of trust: the root pinned at manufacture, root rotations and the current delegation (public; devices get it with every bundle)',
    security: 'public',
    responses: [{ status: 200, description: 'OK', body: bundleTrustSchema }],
    problems: [429],
  })
  bundleTrust() {
    const { firstRoot, rootChain, delegation } = this.trust.file;
    return {
      firstRoot,
      currentRoot: this.trust.root,
      rootChain,
      delegation,
      delegationVersion: this.trust.delegationVersion,
    };
  }
}
