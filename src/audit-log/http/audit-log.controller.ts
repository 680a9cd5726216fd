import { Body, Controller, Get, Header, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentActor, PublicRoute } from '../../auth/bearer-auth.guard';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import {
  consistencyProofSchema,
  inclusionProofSchema,
  logEntriesSchema,
} from './audit-log-responses';
import type { Actor } from '../../shared/domain/actor';
import { AuditLogService } from '../application/audit-log.service';
import {
  checkpointQuery,
  consistencyQuery,
  cosignatureBody,
  entriesQuery,
  inclusionQuery,
} from './log-query-schemas';

/**
 * The log's routes (docs/audit-log.md §4). Checkpoints, the key and consistency proofs are public:
 * they are hashes and signatures. Inclusion proofs and entries need a signed-in caller, and an
 * entry's text only goes to callers the audit view would show the event to.
 */
@ApiTags('audit-log')
@Controller()
export class AuditLogController {
  constructor(@Inject(AuditLogService) private readonly log: AuditLogService) {}

  @Get('v1/log/checkpoint')
  @PublicRoute()
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @ApiContract({
    operationId: 'getLogCheckpoint',
    summary: 'The newest signed checkpoint (C2SP tlog-checkpoint), with its cosignatures',
    security: 'public',
    responses: [
      {
        status: 200,
        description: 'A C2SP signed note',
        body: 'text',
        mediaType: 'text/plain',
      },
    ],
    problems: [400, 429],
  })
  checkpoint(
    @Query(new ZodValidation(checkpointQuery, 'query')) query: z.infer<typeof checkpointQuery>,
  ): string {
    return this.log.checkpointNote(query.cosigned === 'true');
  }

  @Get('.well-known/audit-log-key')
  @PublicRoute()
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  @ApiContract({
    operationId: 'getLogKey',
    summary: "The log's verifier key (C2SP signed-note), what an auditor saves as log.pub",
    security: 'public',
    responses: [
      {
        status: 200,
        description: 'The verifier key, one line',
        body: 'text',
        mediaType: 'text/plain',
      },
    ],
    problems: [429],
  })
  key(): string {
    return `${this.log.verifierKey()}\n`;
  }

  @Get('v1/log/proofs/consistency')
  @PublicRoute()
  @ApiContract({
    operationId: 'getConsistencyProof',
    summary: 'RFC 9162 consistency proof between two signed tree sizes',
    security: 'public',
    responses: [{ status: 200, description: 'OK', body: consistencyProofSchema }],
    problems: [400, 422, 429],
  })
  consistency(
    @Query(new ZodValidation(consistencyQuery, 'query')) query: z.infer<typeof consistencyQuery>,
  ) {
    return this.log.consistency(query.from, query.to);
  }

  @Get('v1/log/proofs/inclusion')
  @ApiContract({
    operationId: 'getInclusionProof',
    summary: 'RFC 9162 inclusion proof of a leaf (by index or event id) in a signed tree',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: inclusionProofSchema }],
    problems: [400, 401, 404, 422, 429, 503],
  })
  inclusion(
    @Query(new ZodValidation(inclusionQuery, 'query')) query: z.infer<typeof inclusionQuery>,
  ) {
    return this.log.inclusion(query, query.treeSize);
  }

  @Get('v1/log/entries')
  @ApiContract({
    operationId: 'listLogEntries',
    summary:
      "Leaves by index: every leaf's hash; its text only where the audit view shows the event",
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: logEntriesSchema }],
    problems: [400, 401, 422, 429, 503],
  })
  entries(
    @Query(new ZodValidation(entriesQuery, 'query')) query: z.infer<typeof entriesQuery>,
    @CurrentActor() actor: Actor,
  ) {
    return this.log.entries(query.start, query.limit, actor);
  }

  @Post('v1/log/cosignatures')
  @PublicRoute()
  @HttpCode(204)
  @ApiContract({
    operationId: 'submitCosignature',
    summary: "A trusted witness's cosignature of a checkpoint this log signed",
    security: 'public',
    responses: [{ status: 204, description: 'Accepted' }],
    problems: [400, 413, 415, 422, 429],
  })
  cosign(@Body(new ZodValidation(cosignatureBody)) body: z.infer<typeof cosignatureBody>): void {
    this.log.acceptCosignature(body.checkpoint, body.cosignature);
  }
}
