import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { serialParams } from '../../http/common-schemas';
import { openApiSchema, ZodValidation } from '../../http/zod-validation';
import type { BatteryCommand } from '../domain/battery-commands';
import { Decide, type Undecided } from '../../command-handling/decide.command';
import { batteryDecider } from '../domain/battery-decider';
import { batteryStreamId } from '../domain/battery-events';
import {
  proposalParams,
  proposeParameterChangeRequest,
  reasonOnlyRequest,
  rejectRequest,
  requestRecoveryRequest,
} from './battery-requests';

const DEFAULT_PROPOSAL_LIFETIME_MS = 7 * 86_400_000;

/** Two keys for one lock: changes that take effect only once the approvers the policy names agree. */
@CommandApi('proposals')
@Controller('v1/batteries')
export class ProposalsController {
  constructor(private readonly commands: CommandBus) {}

  private run(serial: string, command: Undecided<BatteryCommand>, call: CommandCall) {
    return this.commands.execute(
      new Decide(batteryStreamId(serial), batteryDecider, command, call.options),
    );
  }

  @Post(':serial/parameter-proposals')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Propose new tunable parameters; refused outright outside the hard limits; applies when the approvals are in',
  })
  @ApiBody({ schema: openApiSchema(proposeParameterChangeRequest) })
  proposeParameters(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @Body(new ZodValidation(proposeParameterChangeRequest))
    body: z.infer<typeof proposeParameterChangeRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const context = call.context(body.reason);
    const expiresAt = body.expiresAt
      ? new Date(body.expiresAt)
      : new Date(context.now.getTime() + DEFAULT_PROPOSAL_LIFETIME_MS);
    return this.run(
      serial,
      {
        type: 'ProposeParameterChange',
        proposalId: body.proposalId ?? randomUUID(),
        parameters: body.parameters,
        expiresAt,
        context,
      },
      call,
    );
  }

  @Post(':serial/recovery-proposals')
  @HttpCode(201)
  @ApiOperation({ summary: 'Ask to recover a stolen battery (owner); needs one more approver' })
  @ApiBody({ required: false, schema: openApiSchema(requestRecoveryRequest) })
  requestRecovery(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @Body(new ZodValidation(requestRecoveryRequest.default({})))
    body: z.infer<typeof requestRecoveryRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const context = call.context(body.reason);
    const expiresAt = body.expiresAt
      ? new Date(body.expiresAt)
      : new Date(context.now.getTime() + DEFAULT_PROPOSAL_LIFETIME_MS);
    return this.run(
      serial,
      { type: 'RequestRecovery', proposalId: body.proposalId ?? randomUUID(), expiresAt, context },
      call,
    );
  }

  @Post(':serial/proposals/:proposalId/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a proposal: never its proposer, one person once, in one role' })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
  approve(
    @Param(new ZodValidation(proposalParams, 'path'))
    { serial, proposalId }: z.infer<typeof proposalParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: z.infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(
      serial,
      { type: 'ApproveProposal', proposalId, context: call.context(body.reason) },
      call,
    );
  }

  @Post(':serial/proposals/:proposalId/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a proposal (any eligible approver)' })
  @ApiBody({ schema: openApiSchema(rejectRequest) })
  reject(
    @Param(new ZodValidation(proposalParams, 'path'))
    { serial, proposalId }: z.infer<typeof proposalParams>,
    @Body(new ZodValidation(rejectRequest)) body: z.infer<typeof rejectRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(
      serial,
      {
        type: 'RejectProposal',
        proposalId,
        reason: body.reason,
        context: call.context(body.reason),
      },
      call,
    );
  }

  @Post(':serial/proposals/:proposalId/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw your own proposal' })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
  withdraw(
    @Param(new ZodValidation(proposalParams, 'path'))
    { serial, proposalId }: z.infer<typeof proposalParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: z.infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(
      serial,
      { type: 'WithdrawProposal', proposalId, context: call.context(body.reason) },
      call,
    );
  }
}
