import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PartyDirectory } from '../../parties/application/party-directory';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { serialParams } from '../../http/common-schemas';
import { openApiSchema, ZodValidation } from '../../http/zod-validation';
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
  @ApiOperation({ summary: 'Request an ownership transfer to another lessor (owner)' })
  @ApiBody({ schema: openApiSchema(requestTransferRequest) })
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
  @ApiOperation({
    summary:
      'Accept a transfer (receiving lessor). With every approval in, ownership moves and the old authority ends in the same write',
  })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
  accept(
    @Param(new ZodValidation(transferParams, 'path')) params: z.infer<typeof transferParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: z.infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.approve(params, body, call);
  }

  @Post(':serial/transfers/:transferId/approve')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Approve a transfer as any approver the policy names (the receiving lessor accepts the same way)',
  })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
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
  @ApiOperation({ summary: 'Cancel an open transfer (either lessor)' })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
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
