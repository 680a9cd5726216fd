import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { BATTERY_READ_MODEL, type BatteryReadModel } from '../queries/battery-read-model';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Capability } from '../../policy/domain/capability-catalogue';
import type { BatteryCommand } from '../domain/battery-commands';
import { PartyDirectory } from '../../parties/application/party-directory';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { CommandApi } from '../../http/command-api.decorator';
import { serialParams } from '../../http/common-schemas';
import { toPublicKey } from '../../http/public-key';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { COMMAND_PROBLEMS, commandAnswer } from '../../http/openapi/contract-presets';
import {
  ISSUE_KEY_EXAMPLE,
  PROVISIONED_EXAMPLE,
  PROVISION_EXAMPLE,
} from '../../http/openapi/examples';
// Names the battery request schemas in the OpenAPI document.
import './battery-responses';
import { Decide, type Undecided } from '../../command-handling/decide.command';
import { batteryDecider } from '../domain/battery-decider';
import { batteryStreamId } from '../domain/battery-events';
import {
  assignOperatorRequest,
  contractSpecialistRequest,
  issueKeyRequest,
  keyParams,
  leaseParams,
  provisionBatteryRequest,
  reasonOnlyRequest,
  revokeKeyRequest,
  specialistParams,
} from './battery-requests';

type Infer<S extends z.ZodType> = z.infer<S>;

/**
 * Every change to a battery. Each handler turns the request into a domain command (resolving the
 * parties it names) and hands it to the command bus; the decider does the rest.
 */
@CommandApi('batteries')
@Controller('v1/batteries')
export class BatteryCommandsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly parties: PartyDirectory,
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
  ) {}

  private run(serial: string, command: Undecided<BatteryCommand>, call: CommandCall) {
    return this.commands.execute(
      new Decide(batteryStreamId(serial), batteryDecider, command, call.options),
    );
  }

  @Post()
  @HttpCode(201)
  @ApiContract({
    operationId: 'provisionBattery',
    summary:
      'Provision a battery (manufacturer provisioner): serial, hard limits, device key, first owner',
    security: 'bearer',
    requestExample: PROVISION_EXAMPLE,
    responses: [commandAnswer(201, 'Provisioned', PROVISIONED_EXAMPLE)],
    problems: [400, 401, 403, 409, 413, 415, 422, 429, 503],
  })
  async provision(
    @Body(new ZodValidation(provisionBatteryRequest)) body: Infer<typeof provisionBatteryRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const [manufacturer, firstOwner, deviceKey] = await Promise.all([
      this.parties.facts(body.manufacturerId, 'manufacturerId'),
      this.parties.facts(body.firstOwnerId, 'firstOwnerId'),
      toPublicKey(body.deviceKey, 'deviceKey'),
    ]);
    const { serial, model, chemistry, hardLimits, parameters } = body;
    // Read-model lookup: a race between two provisionings of one key within the projection's lag is not caught.
    const deviceKeyRegisteredTo = this.batteries.serialOfDeviceKey(deviceKey.thumbprint) ?? null;
    return this.run(
      serial,
      {
        type: 'ProvisionBattery',
        serial,
        model,
        chemistry,
        hardLimits,
        parameters,
        deviceKey,
        manufacturer,
        firstOwner,
        deviceKeyRegisteredTo,
        context: call.context(body.reason),
      },
      call,
    );
  }

  @Post(':serial/leases')
  @HttpCode(201)
  @ApiContract({
    operationId: 'assignOperator',
    summary: 'Lease the battery to an operator (owner)',
    security: 'bearer',
    responses: [commandAnswer(201, 'Leased')],
    problems: COMMAND_PROBLEMS,
  })
  async assignOperator(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(assignOperatorRequest)) body: Infer<typeof assignOperatorRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const operator = await this.parties.facts(body.operatorId, 'operatorId');
    return this.run(
      serial,
      {
        type: 'AssignOperator',
        leaseId: body.leaseId ?? randomUUID(),
        operator,
        context: call.context(body.reason),
      },
      call,
    );
  }

  @Post(':serial/leases/:leaseId/end')
  @HttpCode(200)
  @ApiContract({
    operationId: 'endLease',
    summary: 'End the lease (owner); keys issued under it are revoked in the same write',
    security: 'bearer',
    responses: [commandAnswer(200, 'Lease ended')],
    problems: COMMAND_PROBLEMS,
  })
  endLease(
    @Param(new ZodValidation(leaseParams, 'path')) { serial, leaseId }: Infer<typeof leaseParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: Infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(
      serial,
      { type: 'EndLease', leaseId, context: call.context(body.reason) },
      call,
    );
  }

  @Post(':serial/keys')
  @HttpCode(201)
  @ApiContract({
    operationId: 'issueKey',
    summary:
      'Issue a key to a holder (owner: layers 1\u20132; operator: layer 1 to its own people)',
    security: 'bearer',
    requestExample: ISSUE_KEY_EXAMPLE,
    responses: [commandAnswer(201, 'Issued')],
    problems: COMMAND_PROBLEMS,
  })
  async issueKey(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(issueKeyRequest)) body: Infer<typeof issueKeyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const [party, publicKey] = await Promise.all([
      this.parties.facts(body.holder.partyId, 'holder.partyId'),
      toPublicKey(body.publicKey, 'publicKey'),
    ]);
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
  @ApiContract({
    operationId: 'revokeKey',
    summary: 'Revoke a key with a reason (owner, or the operator that issued it)',
    security: 'bearer',
    responses: [commandAnswer(200, 'Revoked')],
    problems: COMMAND_PROBLEMS,
  })
  revokeKey(
    @Param(new ZodValidation(keyParams, 'path')) { serial, keyId }: Infer<typeof keyParams>,
    @Body(new ZodValidation(revokeKeyRequest)) body: Infer<typeof revokeKeyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(
      serial,
      { type: 'RevokeKey', keyId, reason: body.reason, context: call.context(body.reason) },
      call,
    );
  }

  @Post(':serial/specialists')
  @HttpCode(201)
  @ApiContract({
    operationId: 'contractSpecialist',
    summary:
      'Contract a cell specialist for this battery (owner); its cell engineers then sign off parameter changes',
    security: 'bearer',
    responses: [commandAnswer(201, 'Contracted')],
    problems: COMMAND_PROBLEMS,
  })
  async contractSpecialist(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(contractSpecialistRequest))
    body: Infer<typeof contractSpecialistRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    const specialist = await this.parties.facts(body.specialistId, 'specialistId');
    return this.run(
      serial,
      {
        type: 'ContractSpecialist',
        contractId: body.contractId ?? randomUUID(),
        specialist,
        context: call.context(body.reason),
      },
      call,
    );
  }

  @Post(':serial/specialists/:contractId/end')
  @HttpCode(200)
  @ApiContract({
    operationId: 'endSpecialistContract',
    summary: "End the specialist's contract (owner)",
    security: 'bearer',
    responses: [commandAnswer(200, 'Contract ended')],
    problems: COMMAND_PROBLEMS,
  })
  endSpecialistContract(
    @Param(new ZodValidation(specialistParams, 'path'))
    { serial, contractId }: Infer<typeof specialistParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: Infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(
      serial,
      { type: 'EndSpecialistContract', contractId, context: call.context(body.reason) },
      call,
    );
  }

  @Post(':serial/theft-report')
  @HttpCode(200)
  @ApiContract({
    operationId: 'reportStolen',
    summary: 'Report the battery stolen (owner): the next bundle locks it to read-only status',
    security: 'bearer',
    responses: [commandAnswer(200, 'Reported stolen')],
    problems: COMMAND_PROBLEMS,
  })
  reportStolen(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: Infer<typeof serialParams>,
    @Body(new ZodValidation(reasonOnlyRequest)) body: Infer<typeof reasonOnlyRequest>,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.run(serial, { type: 'ReportStolen', context: call.context(body.reason) }, call);
  }
}
