import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { COMMAND_PROBLEMS, commandAnswer } from '../../http/openapi/contract-presets';
import { policyStateSchema } from './policy-responses';
import { PolicyProvider } from '../application/policy-provider';
import { Decide, type Undecided } from '../../command-handling/decide.command';
import { policyDecider, type PolicyCommand } from '../domain/policy-decider';
import { POLICY_STREAM_ID } from '../domain/policy-events';
import type { PolicyDocumentInput } from '../domain/upcast-policy';
import { policyProposalParams, proposePolicyRequest } from './policy-requests';

@CommandApi('policy')
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly policies: PolicyProvider,
  ) {}

  private run(command: Undecided<PolicyCommand>, call: CommandCall) {
    return this.commands.execute(
      new Decide(POLICY_STREAM_ID, policyDecider, command, call.options),
    );
  }

  @Get()
  @ApiContract({
    operationId: 'getPolicy',
    summary: 'The policy in force (version and document) and any change waiting for approval',
    security: 'bearer',
    responses: [{ status: 200, description: 'The policy in force', body: policyStateSchema }],
    problems: [401, 429, 503],
  })
  async current() {
    const { active, pending } = await this.policies.state();
    return { version: active.version, document: active.document, pendingChange: pending };
  }

  @Post('proposals')
  @HttpCode(201)
  @ApiContract({
    operationId: 'proposePolicyChange',
    summary:
      'Propose a new policy document (platform administrators); validated now, adopted after approval',
    security: 'bearer',
    responses: [commandAnswer(201, 'Proposed')],
    problems: [400, 401, 403, 409, 413, 415, 422, 429, 503],
  })
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
    return this.run(command, call);
  }

  @Post('proposals/:proposalId/approve')
  @HttpCode(200)
  @ApiContract({
    operationId: 'approvePolicyChange',
    summary: 'Approve a policy change; the last approval adopts it as the next version',
    security: 'bearer',
    responses: [commandAnswer(200, 'Approved')],
    problems: COMMAND_PROBLEMS,
  })
  approve(
    @Param(new ZodValidation(policyProposalParams, 'path'))
    { proposalId }: z.infer<typeof policyProposalParams>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run({ type: 'ApprovePolicyChange', proposalId, context: call.context() }, call);
  }

  @Post('proposals/:proposalId/reject')
  @HttpCode(200)
  @ApiContract({
    operationId: 'rejectPolicyChange',
    summary: 'Reject a policy change',
    security: 'bearer',
    requestName: 'RejectPolicyChangeRequest',
    responses: [commandAnswer(200, 'Rejected')],
    problems: COMMAND_PROBLEMS,
  })
  reject(
    @Param(new ZodValidation(policyProposalParams, 'path'))
    { proposalId }: z.infer<typeof policyProposalParams>,
    @Body(new ZodValidation(proposePolicyRequest.pick({ reason: true }).required()))
    body: { reason: string },
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(
      {
        type: 'RejectPolicyChange',
        proposalId,
        reason: body.reason,
        context: call.context(body.reason),
      },
      call,
    );
  }

  @Post('proposals/:proposalId/withdraw')
  @HttpCode(200)
  @ApiContract({
    operationId: 'withdrawPolicyChange',
    summary: 'Withdraw your own policy change',
    security: 'bearer',
    responses: [commandAnswer(200, 'Withdrawn')],
    problems: COMMAND_PROBLEMS,
  })
  withdraw(
    @Param(new ZodValidation(policyProposalParams, 'path'))
    { proposalId }: z.infer<typeof policyProposalParams>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run({ type: 'WithdrawPolicyChange', proposalId, context: call.context() }, call);
  }
}
