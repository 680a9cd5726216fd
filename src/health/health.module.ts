import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  DEFAULT_PROJECTION_HEALTH_OPTIONS,
  PROJECTION_HEALTH_OPTIONS,
} from '../read-model/projection-health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [{ provide: PROJECTION_HEALTH_OPTIONS, useValue: DEFAULT_PROJECTION_HEALTH_OPTIONS }],
})
export class HealthModule {}
