import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query as QueryParams,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/oversight';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import {
  BATTERY_READ_MODEL,
  type BatteryReadModel,
} from '../../batteries/queries/battery-read-model';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { openApiSchema, ZodValidation } from '../../http/zod-validation';
import { PolicyProvider } from '../application/policy-provider';
import { ExecutePolicyCommand } from '../commands/execute-policy-command';
import { explain, type ExplainQuestion } from '../domain/explain';
import type { PolicyDocumentInput } from '../domain/upcast-policy';
import { explainQuery, policyProposalParams, proposePolicyRequest } from './policy-requests';

@CommandApi('policy')
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly policies: PolicyProvider,
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The policy in force (version and document) and any change waiting for approval',
  })
  async current() {
    const { active, pending } = await this.policies.state();
    return { version: active.version, document: active.document, pendingChange: pending };
  }

  @Get('explain')
  @ApiTags('policy')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'May person P of party Q do action A on battery B, and why or why not: rule, relationship, approvals missing',
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
    return explain(await this.policies.current(), subject, row?.state ?? null, question);
  }

  @Post('proposals')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Propose a new policy document (platform administrators); validated now, adopted after approval',
  })
  @ApiBody({ schema: openApiSchema(proposePolicyRequest) })
  propose(
    @Body(new ZodValidation(proposePolicyRequest)) body: z.infer<typeof proposePolicyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const command = {
      type: 'ProposePolicyChange' as const,
      proposalId: body.proposalId ?? randomUUID(),
      document: body.document as PolicyDocumentInput,
      context: call.context(body.reason),
    };
    return this.commands.execute(new ExecutePolicyCommand(command, call.options));
  }

  @Post('proposals/:proposalId/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a policy change; the last approval adopts it as the next version',
  })
  approve(
    @Param(new ZodValidation(policyProposalParams, 'path'))
    { proposalId }: z.infer<typeof policyProposalParams>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.commands.execute(
      new ExecutePolicyCommand(
        { type: 'ApprovePolicyChange', proposalId, context: call.context() },
        call.options,
      ),
    );
  }

  @Post('proposals/:proposalId/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a policy change' })
  reject(
    @Param(new ZodValidation(policyProposalParams, 'path'))
    { proposalId }: z.infer<typeof policyProposalParams>,
    @Body(new ZodValidation(proposePolicyRequest.pick({ reason: true }).required()))
    body: { reason: string },
    @CallOfCommand() call: CommandCall,
  ) {
    return this.commands.execute(
      new ExecutePolicyCommand(
        {
          type: 'RejectPolicyChange',
          proposalId,
          reason: body.reason,
          context: call.context(body.reason),
        },
        call.options,
      ),
    );
  }

  @Post('proposals/:proposalId/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw your own policy change' })
  withdraw(
    @Param(new ZodValidation(policyProposalParams, 'path'))
    { proposalId }: z.infer<typeof policyProposalParams>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.commands.execute(
      new ExecutePolicyCommand(
        { type: 'WithdrawPolicyChange', proposalId, context: call.context() },
        call.options,
      ),
    );
  }
}
