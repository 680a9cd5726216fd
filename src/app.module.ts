import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BatteriesModule } from './batteries/batteries.module';
import { BundlesModule } from './bundles/bundles.module';
import { CommandHandlingModule } from './command-handling/command-handling.module';
import { DevicesModule } from './devices/devices.module';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { EventStoreModule } from './event-store/event-store.module';
import { HealthModule } from './health/health.module';
import { MinPositionInterceptor } from './http/min-position.interceptor';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { PartiesModule } from './parties/parties.module';
import { PolicyModule } from './policy/policy.module';
import { ReadModelModule } from './read-model/read-model.module';

/** The application, built from an already validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logDestination?: DestinationStream): DynamicModule {
    const pinoHttp = {
      level: config.LOG_LEVEL,
      // Credentials never reach the log: a person's token, a battery's proof (replayable until
      // its jti is remembered), the idempotency key that answers for a command, cookies.
      redact: [
        'req.headers.authorization',
        'req.headers["device-proof"]',
        'req.headers["idempotency-key"]',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
      ],
      customProps: () => ({ context: 'HTTP' }),
    };
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: logDestination ? [pinoHttp, logDestination] : pinoHttp }),
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
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: MinPositionInterceptor },
      ],
    };
  }
}
