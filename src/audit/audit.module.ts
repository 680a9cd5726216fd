import { Module } from '@nestjs/common';
import { AuditController } from './http/audit.controller';
import { AuditHandler } from './queries/audit.query';

@Module({ controllers: [AuditController], providers: [AuditHandler] })
export class AuditModule {}
