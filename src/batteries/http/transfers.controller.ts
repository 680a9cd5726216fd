import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PartyDirectory } from '../../parties/application/party-directory';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { serialParams } from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { COMMAND_PROBLEMS, commandAnswer } from '../../http/openapi/contract-presets';
import { ACCEPTED_EXAMPLE, TRANSFER_EXAMPLE } from '../../http/openapi/examples';
// Names the battery request schemas in the OpenAPI document.
import './battery-responses';
import { Decide } from '../../command-handling/decide.command';
import { batteryDecider } from '../domain/battery-decider';
import { batteryStreamId } from '../domain/battery-events';
import { reasonOnlyRequest, requestTransferRequest, transferParams } from './battery-requests';

/** Ownership transfers between lessors: requested by the owner, approved as the policy says. */
@CommandApi('transfers')
@Controller('v1/batteries')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly parties: PartyDirectory,
  ) {}

  @Post(':serial/transfers')
  @HttpCode(201)
  @ApiContract({
    operationId: 'requestTransfer',
    summary: 'Request an ownership transfer to another lessor (owner)',
    security: 'bearer',
    requestExample: TRANSFER_EXAMPLE,
    responses: [commandAnswer(201, 'Transfer requested')],
    problems: COMMAND_PROBLEMS,
  })
  async request(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @Body(new ZodValidation(requestTransferRequest)) body: z.infer<typeof requestTransferRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const to = await this.parties.facts(body.toOwnerId, 'toOwnerId');
    const command = {
      type: 'RequestOwnershipTransfer' as const,
      transferId: body.transferId ?? randomUUID(),
      to,
      context: call.context(body.reason),
    };
    return this.commands.execute(
      new Decide(batteryStreamId(serial), batteryDecider, command, call.options),
    );
  }

  @Post(':serial/transfers/:transferId/accept')
  @HttpCode(200)
  @ApiContract({
    operationId: 'acceptTransfer',
    summary:
      'Accept a transfer (receiving lessor). With every approval in, ownership moves and the old authority ends in the same write',
    security: 'bearer',
    responses: [
      commandAnswer(
        200,
        'Accepted; with the last approval the ownership moved in the same write',
        ACCEPTED_EXAMPLE,
      ),
    ],
    problems: COMMAND_PROBLEMS,
  })
  accept(
    @Param(new ZodValidation(transferParams, 'path')) params: z.infer<typeof transferParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: z.infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.approve(params, body, call);
  }

  @Post(':serial/transfers/:transferId/approve')
  @HttpCode(200)
  @ApiContract({
    operationId: 'approveTransfer',
    summary:
      'Approve a transfer as any approver the policy names (the receiving lessor accepts the same way)',
    security: 'bearer',
    responses: [commandAnswer(200, 'Approved')],
    problems: COMMAND_PROBLEMS,
  })
  approve(
    @Param(new ZodValidation(transferParams, 'path'))
    { serial, transferId }: z.infer<typeof transferParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: z.infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const command = {
      type: 'ApproveOwnershipTransfer' as const,
      transferId,
      context: call.context(body.reason),
    };
    return this.commands.execute(
      new Decide(batteryStreamId(serial), batteryDecider, command, call.options),
    );
  }

  @Post(':serial/transfers/:transferId/cancel')
  @HttpCode(200)
  @ApiContract({
    operationId: 'cancelTransfer',
    summary: 'Cancel an open transfer (either lessor)',
    security: 'bearer',
    responses: [commandAnswer(200, 'Cancelled')],
    problems: COMMAND_PROBLEMS,
  })
  cancel(
    @Param(new ZodValidation(transferParams, 'path'))
    { serial, transferId }: z.infer<typeof transferParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: z.infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const command = {
      type: 'CancelOwnershipTransfer' as const,
      transferId,
      context: call.context(body.reason),
    };
    return this.commands.execute(
      new Decide(batteryStreamId(serial), batteryDecider, command, call.options),
    );
  }
}
