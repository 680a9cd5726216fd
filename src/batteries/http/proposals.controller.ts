import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { serialParams } from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { COMMAND_PROBLEMS, commandAnswer } from '../../http/openapi/contract-presets';
// Names the battery request schemas in the OpenAPI document.
import './battery-responses';
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
  @ApiContract({
    operationId: 'proposeParameterChange',
    summary:
      'Propose new tunable parameters; refused outright outside the hard limits; applies when the approvals are in',
    security: 'bearer',
    responses: [commandAnswer(201, 'Proposed')],
    problems: COMMAND_PROBLEMS,
  })
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
  @ApiContract({
    operationId: 'requestRecovery',
    summary: 'Ask to recover a stolen battery (owner); needs one more approver',
    security: 'bearer',
    requestName: 'RequestRecoveryRequest',
    responses: [commandAnswer(201, 'Recovery proposed')],
    problems: COMMAND_PROBLEMS,
  })
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
  @ApiContract({
    operationId: 'approveProposal',
    summary: 'Approve a proposal: never its proposer, one person once, in one role',
    security: 'bearer',
    responses: [
      commandAnswer(200, 'Approved; with the last approval the change applied in the same write'),
    ],
    problems: COMMAND_PROBLEMS,
  })
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
  @ApiContract({
    operationId: 'rejectProposal',
    summary: 'Reject a proposal (any eligible approver)',
    security: 'bearer',
    responses: [commandAnswer(200, 'Rejected')],
    problems: COMMAND_PROBLEMS,
  })
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
  @ApiContract({
    operationId: 'withdrawProposal',
    summary: 'Withdraw your own proposal',
    security: 'bearer',
    responses: [commandAnswer(200, 'Withdrawn')],
    problems: COMMAND_PROBLEMS,
  })
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
