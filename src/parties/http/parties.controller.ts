import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { notFound } from '../../shared/domain/domain-error';
import type { PartyKind } from '../../shared/domain/party-kind';
import { CallOfCommand, type CommandCall } from '../../http/command-call';
import { pageQuerySchema, partyIdSchema } from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { commandAnswer } from '../../http/openapi/contract-presets';
import { partyPageSchema, partySchema } from './party-responses';
import { Decide } from '../../command-handling/decide.command';
import { partyDecider } from '../domain/party-decider';
import { partyStreamId } from '../domain/party-events';
import { PARTY_READ_MODEL, type PartyReadModel } from '../queries/party-read-model';
import { registerPartyRequest, type RegisterPartyRequest } from './register-party.request';

const partyParams = z.strictObject({ partyId: partyIdSchema });
const partyPageQuery = z.strictObject(pageQuerySchema);

@ApiTags('parties')
@Controller('v1/parties')
export class PartiesController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(PARTY_READ_MODEL) private readonly parties: PartyReadModel,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiContract({
    operationId: 'registerParty',
    summary: 'Register an organisation (platform administrators only)',
    security: 'bearer',
    responses: [commandAnswer(201, 'Registered')],
    problems: [400, 401, 403, 409, 413, 415, 429, 503],
  })
  register(
    @Body(new ZodValidation(registerPartyRequest)) body: RegisterPartyRequest,
    @CallOfCommand() call: CommandCall,
  ) {
    return this.commands.execute(
      new Decide(
        partyStreamId(body.partyId),
        partyDecider,
        {
          type: 'RegisterParty',
          partyId: body.partyId,
          name: body.name,
          kind: body.kind as PartyKind,
          context: call.context(body.reason),
        },
        call.options,
      ),
    );
  }

  @Get(':partyId')
  @ApiContract({
    operationId: 'getParty',
    summary: 'One party',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: partySchema }],
    problems: [400, 401, 404, 429, 503],
  })
  get(@Param(new ZodValidation(partyParams, 'path')) params: z.infer<typeof partyParams>) {
    const party = this.parties.get(params.partyId);
    if (!party) throw notFound('party-not-found', `No party ${params.partyId}`);
    return party;
  }

  @Get()
  @ApiContract({
    operationId: 'listParties',
    summary: 'All parties, paged by id',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: partyPageSchema }],
    problems: [400, 401, 429, 503],
  })
  list(@Query(new ZodValidation(partyPageQuery, 'query')) query: z.infer<typeof partyPageQuery>) {
    return this.parties.list(query.cursor, query.limit);
  }
}
