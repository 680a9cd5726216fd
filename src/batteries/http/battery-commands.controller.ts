import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Capability } from '../domain/capability-catalogue';
import type { BatteryCommand } from '../domain/battery-commands';
import { PartyDirectory } from '../../parties/party-directory';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { serialParams } from '../../http/common-schemas';
import { toPublicKey } from '../../http/public-key';
import { openApiSchema, ZodValidation } from '../../http/zod-validation';
import { ExecuteBatteryCommand } from '../commands/execute-battery-command';
import {
  assignOperatorRequest,
  issueKeyRequest,
  keyParams,
  leaseParams,
  provisionBatteryRequest,
  reasonOnlyRequest,
  requestTransferRequest,
  revokeKeyRequest,
  transferParams,
} from './battery-requests';

type Infer<S extends z.ZodType> = z.infer<S>;

/**
 * Every change to a battery. Each handler turns the request into a domain command (resolving the
 * parties it names) and hands it to the command bus; the decider does the rest.
 */
@ApiTags('batteries')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first answer and records nothing new' })
@ApiHeader({ name: 'If-Match', required: false, description: 'The battery revision ("3") the change was decided on; 409 if it moved' })
@Controller('v1/batteries')
export class BatteryCommandsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly parties: PartyDirectory,
  ) {}

  private run(serial: string, command: BatteryCommand, call: CommandCall) {
    return this.commands.execute(new ExecuteBatteryCommand(serial, command, call.options));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Provision a battery (manufacturer provisioner): serial, hard limits, device key, first owner' })
  @ApiBody({ schema: openApiSchema(provisionBatteryRequest) })
  async provision(@Body(new ZodValidation(provisionBatteryRequest)) body: Infer<typeof provisionBatteryRequest>, @CallOfCommand() call: CommandCall) {
    const [manufacturer, firstOwner, deviceKey] = await Promise.all([
      this.parties.facts(body.manufacturerId, 'manufacturerId'),
      this.parties.facts(body.firstOwnerId, 'firstOwnerId'),
      toPublicKey(body.deviceKey, 'deviceKey'),
    ]);
    const { serial, model, chemistry, hardLimits, parameters } = body;
    return this.run(
      serial,
      { type: 'ProvisionBattery', serial, model, chemistry, hardLimits, parameters, deviceKey, manufacturer, firstOwner, context: call.context(body.reason) },
      call,
    );
  }

  @Post(':serial/transfers')
  @HttpCode(201)
  @ApiOperation({ summary: 'Request an ownership transfer to another lessor (owner)' })
  @ApiBody({ schema: openApiSchema(requestTransferRequest) })
  async requestTransfer(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(requestTransferRequest)) body: Infer<typeof requestTransferRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const to = await this.parties.facts(body.toOwnerId, 'toOwnerId');
    const transferId = body.transferId ?? randomUUID();
    return this.run(serial, { type: 'RequestOwnershipTransfer', transferId, to, context: call.context(body.reason) }, call);
  }

  @Post(':serial/transfers/:transferId/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept a transfer (receiving lessor): ownership moves and the old authority’s keys are revoked atomically' })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
  acceptTransfer(
    @Param(new ZodValidation(transferParams, 'path')) { serial, transferId }: Infer<typeof transferParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: Infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(serial, { type: 'AcceptOwnershipTransfer', transferId, context: call.context(body.reason) }, call);
  }

  @Post(':serial/transfers/:transferId/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an open transfer (either lessor)' })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
  cancelTransfer(
    @Param(new ZodValidation(transferParams, 'path')) { serial, transferId }: Infer<typeof transferParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: Infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(serial, { type: 'CancelOwnershipTransfer', transferId, context: call.context(body.reason) }, call);
  }

  @Post(':serial/leases')
  @HttpCode(201)
  @ApiOperation({ summary: 'Lease the battery to an operator (owner)' })
  @ApiBody({ schema: openApiSchema(assignOperatorRequest) })
  async assignOperator(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(assignOperatorRequest)) body: Infer<typeof assignOperatorRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const operator = await this.parties.facts(body.operatorId, 'operatorId');
    return this.run(serial, { type: 'AssignOperator', leaseId: body.leaseId ?? randomUUID(), operator, context: call.context(body.reason) }, call);
  }

  @Post(':serial/leases/:leaseId/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the lease (owner); keys issued under it are revoked in the same write' })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
  endLease(
    @Param(new ZodValidation(leaseParams, 'path')) { serial, leaseId }: Infer<typeof leaseParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: Infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(serial, { type: 'EndLease', leaseId, context: call.context(body.reason) }, call);
  }

  @Post(':serial/keys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a key to a holder (owner: layers 1–2; operator: layer 1 to its own people)' })
  @ApiBody({ schema: openApiSchema(issueKeyRequest) })
  async issueKey(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(issueKeyRequest)) body: Infer<typeof issueKeyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const [party, publicKey] = await Promise.all([this.parties.facts(body.holder.partyId, 'holder.partyId'), toPublicKey(body.publicKey, 'publicKey')]);
    const context = call.context(body.reason);
    return this.run(
      serial,
      {
        type: 'IssueKey',
        keyId: body.keyId ?? randomUUID(),
        holder: { personId: body.holder.personId, party },
        publicKey,
        capabilities: body.capabilities as Capability[],
        notBefore: body.notBefore ? new Date(body.notBefore) : context.now,
        notAfter: new Date(body.notAfter),
        context,
      },
      call,
    );
  }

  @Post(':serial/keys/:keyId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key with a reason (owner, or the operator that issued it)' })
  @ApiBody({ schema: openApiSchema(revokeKeyRequest) })
  revokeKey(
    @Param(new ZodValidation(keyParams, 'path')) { serial, keyId }: Infer<typeof keyParams>,
    @Body(new ZodValidation(revokeKeyRequest)) body: Infer<typeof revokeKeyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(serial, { type: 'RevokeKey', keyId, reason: body.reason, context: call.context(body.reason) }, call);
  }

  @Post(':serial/theft-report')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report the battery stolen (owner): the next bundle locks it to read-only status' })
  @ApiBody({ required: false, schema: openApiSchema(reasonOnlyRequest) })
  reportStolen(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: Infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(serial, { type: 'ReportStolen', context: call.context(body.reason) }, call);
  }
}
