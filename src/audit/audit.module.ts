import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { AuditController } from './http/audit.controller';
import { AuditProjection } from './projections/audit.projection';
import { AUDIT_SCHEMA } from './projections/audit.schema';
import { AUDIT_READ_MODEL, AuditReadModel } from './queries/audit-read-model';
import { AuditHandler } from './queries/audit.query';

/** Who changed what: one row per event of every stream this service follows. */
@Module({
  imports: [
    ReadModelModule.forFeature('audit', {
      schema: AUDIT_SCHEMA,
      projections: (db) => [new AuditProjection(db)],
      queries: [{ provide: AUDIT_READ_MODEL, useFactory: (db) => new AuditReadModel(db) }],
    }),
  ],
  controllers: [AuditController],
  providers: [AuditHandler],
})
export class AuditModule {}
