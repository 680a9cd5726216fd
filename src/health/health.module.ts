import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG } from '../config/app-config';
import {
  DEFAULT_PROJECTION_HEALTH_OPTIONS,
  PROJECTION_HEALTH_OPTIONS,
} from '../read-model/projection-health';
import { SigningModule } from '../signing/signing.module';
import { HealthController } from './health.controller';
import { READINESS_OPTIONS, readinessOptionsFrom } from './readiness';
import { RequestDrain } from './request-drain';

/** The probes (live, ready) and the graceful stop that drains requests in flight. */
@Module({
  imports: [TerminusModule, SigningModule],
  controllers: [HealthController],
  providers: [
    { provide: PROJECTION_HEALTH_OPTIONS, useValue: DEFAULT_PROJECTION_HEALTH_OPTIONS },
    { provide: READINESS_OPTIONS, inject: [APP_CONFIG], useFactory: readinessOptionsFrom },
    RequestDrain,
  ],
  exports: [RequestDrain],
})
export class HealthModule {}
