import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { PartiesController } from './http/parties.controller';
import { PartyDirectory } from './application/party-directory';
import { PARTY_STREAM_PREFIX } from './domain/party-events';
import { PartiesProjection } from './projections/parties.projection';
import { PARTIES_SCHEMA } from './projections/parties.schema';
import { PARTY_READ_MODEL, PartyReadModel } from './queries/party-read-model';

@Module({
  imports: [
    ReadModelModule.forFeature('parties', {
      schema: PARTIES_SCHEMA,
      streams: [PARTY_STREAM_PREFIX],
      projections: (db) => [new PartiesProjection(db)],
      queries: [{ provide: PARTY_READ_MODEL, useFactory: (db) => new PartyReadModel(db) }],
    }),
  ],
  controllers: [PartiesController],
  providers: [PartyDirectory],
  exports: [PartyDirectory],
})
export class PartiesModule {}
