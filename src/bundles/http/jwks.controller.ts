import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { bundleTrustSchema, jwksSchema } from './bundle-responses';
import { PublicRoute } from '../../auth/bearer-auth.guard';
import { PublishedTrust, TRUST_DOCUMENT_HEADERS } from './published-trust';

/**
 * The public trust documents' contract. Served by answerTrustDocuments (published-trust.ts) before
 * Nest's router; these handlers give the same answers wherever that hook is not installed.
 */
@ApiTags('bundles')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly published: PublishedTrust) {}

  @Get('jwks.json')
  @PublicRoute()
  @Header('cache-control', TRUST_DOCUMENT_HEADERS['cache-control'])
  @Header('content-type', TRUST_DOCUMENT_HEADERS['content-type'])
  @ApiContract({
    operationId: 'getJwks',
    summary: 'Public keys that sign key bundles now (the online keys the root delegates to)',
    security: 'public',
    responses: [{ status: 200, description: 'OK', body: jwksSchema }],
    problems: [429],
  })
  jwks(): string {
    return this.published.jwks();
  }

  @Get('bundle-trust.json')
  @PublicRoute()
  @Header('cache-control', TRUST_DOCUMENT_HEADERS['cache-control'])
  @Header('content-type', TRUST_DOCUMENT_HEADERS['content-type'])
  @ApiContract({
    operationId: 'getBundleTrust',
    summary:
      'The chain of trust: the root pinned at manufacture, root rotations and the current delegation (public; devices get it with every bundle)',
    security: 'public',
    responses: [{ status: 200, description: 'OK', body: bundleTrustSchema }],
    problems: [429],
  })
  bundleTrust(): string {
    return this.published.bundleTrust();
  }
}
