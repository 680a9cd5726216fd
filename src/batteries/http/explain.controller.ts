import { Controller, Get, Inject, Query as QueryParams } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/oversight';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { explanationSchema } from '../../policy/http/policy-responses';
import { PolicyProvider } from '../../policy/application/policy-provider';
import { explain, type ExplainQuestion } from '../../policy/domain/explain';
import { explainQuery } from '../../policy/http/policy-requests';
import { explainTarget } from '../domain/battery-facts';
import { BATTERY_READ_MODEL, type BatteryReadModel } from '../queries/battery-read-model';

/**
 * Explain is answered where the facts are: the rule book (src/policy) judges, this context says
 * how a battery stands, so the policy never reads a battery's state.
 */
@Controller('v1/policy')
export class ExplainController {
  constructor(
    private readonly policies: PolicyProvider,
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
  ) {}

  @Get('explain')
  @ApiTags('policy')
  @ApiContract({
    operationId: 'explainDecision',
    summary:
      'May person P of party Q do action A on battery B, and why or why not: rule, relationship, approvals missing',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: explanationSchema }],
    problems: [400, 401, 403, 429, 503],
  })
  async explain(
    @QueryParams(new ZodValidation(explainQuery, 'query')) query: z.infer<typeof explainQuery>,
    @CurrentActor() asker: Actor,
  ) {
    const subject: Actor = query.person
      ? { personId: query.person, partyId: query.party as string, roles: query.roles ?? [] }
      : { ...asker, roles: query.roles ?? asker.roles };
    const row = query.serial ? this.batteries.readableBy(query.serial, asker) : undefined;
    if (
      !row &&
      !hasOversight(asker) &&
      (subject.personId !== asker.personId || subject.partyId !== asker.partyId)
    ) {
      throw forbidden('not-related', 'Without a battery you may ask about yourself only');
    }
    const question: ExplainQuestion =
      query.action === 'key.issue'
        ? {
            action: 'key.issue',
            capabilities: query.capabilities ?? [],
            holder: {
              personId: query.holderPerson as string,
              partyId: query.holderParty as string,
            },
          }
        : query.action === 'proposal.approve'
          ? { action: 'proposal.approve', proposalId: query.proposalId as string }
          : query.action === 'health.read'
            ? { action: 'health.read' }
            : { action: query.action };
    return explain(
      await this.policies.current(),
      subject,
      row ? explainTarget(row.state) : null,
      question,
    );
  }
}
