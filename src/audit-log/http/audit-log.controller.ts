import { Body, Controller, Get, Header, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentActor, PublicRoute } from '../../auth/bearer-auth.guard';
import { ZodValidation } from '../../http/zod-validation';
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
  @ApiOperation({
    summary: 'The newest signed checkpoint (C2SP tlog-checkpoint), with its cosignatures',
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
  @ApiOperation({
    summary: "The log's verifier key (C2SP signed-note), what an auditor saves as log.pub",
  })
  key(): string {
    return `${this.log.verifierKey()}\n`;
  }

  @Get('v1/log/proofs/consistency')
  @PublicRoute()
  @ApiOperation({ summary: 'RFC 9162 consistency proof between two signed tree sizes' })
  consistency(
    @Query(new ZodValidation(consistencyQuery, 'query')) query: z.infer<typeof consistencyQuery>,
  ) {
    return this.log.consistency(query.from, query.to);
  }

  @Get('v1/log/proofs/inclusion')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'RFC 9162 inclusion proof of a leaf (by index or event id) in a signed tree',
  })
  inclusion(
    @Query(new ZodValidation(inclusionQuery, 'query')) query: z.infer<typeof inclusionQuery>,
  ) {
    return this.log.inclusion(query, query.treeSize);
  }

  @Get('v1/log/entries')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      "Leaves by index: every leaf's hash; its text only where the audit view shows the event",
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
  @ApiOperation({ summary: "A trusted witness's cosignature of a checkpoint this log signed" })
  cosign(@Body(new ZodValidation(cosignatureBody)) body: z.infer<typeof cosignatureBody>): void {
    this.log.acceptCosignature(body.checkpoint, body.cosignature);
  }
}
