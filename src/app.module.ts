import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from './audit/audit.module';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AUDIT_LOG_SCHEMA } from './audit-log/projections/audit-log.schema';
import { AuthModule } from './auth/auth.module';
import { BatteriesModule } from './batteries/batteries.module';
import { BundlesModule } from './bundles/bundles.module';
import { CommandHandlingModule } from './command-handling/command-handling.module';
import { ConsoleModule } from './console/console.module';
import { DevicesModule } from './devices/devices.module';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { EventStoreModule } from './event-store/event-store.module';
import { HealthModule } from './health/health.module';
import { NotificationsModule } from './notifications/notifications.module';
import { MetricsModule } from './metrics/metrics.module';
import { TracingModule } from './tracing/tracing.module';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { PartiesModule } from './parties/parties.module';
import { PolicyModule } from './policy/policy.module';
import { ReadModelModule } from './read-model/read-model.module';

/** The application, built from an already validated configuration. */
@Module({})
export class AppModule {
  /**
   * No interceptor and no request-logging middleware: the request log line (src/http/request-log.ts)
   * and read-your-writes (src/http/min-position.guard.ts) are installed by createApp, so a request
   * costs only what its route needs.
   */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule,
        ReadModelModule,
        CommandHandlingModule,
        AuthModule,
        PolicyModule,
        PartiesModule,
        BatteriesModule,
        BundlesModule,
        DevicesModule,
        AuditModule,
        // Off, the views that name leaves (history, audit, bundles) see no LEAF_INDEX_LOOKUP and name none.
        config.AUDIT_LOG_ENABLED
          ? AuditLogModule
          : ReadModelModule.withoutFeature(AUDIT_LOG_SCHEMA),
        NotificationsModule,
        HealthModule,
        MetricsModule.forRoot(config),
        TracingModule,
        ConsoleModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
