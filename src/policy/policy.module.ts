import { Global, Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { PolicyProvider } from './application/policy-provider';
import { POLICY_STREAM_PREFIX } from './domain/policy-events';
import { PolicyController } from './http/policy.controller';

@Global()
@Module({
  // No projection: decisions read the policy from its stream; its events are part of this
  // service's log all the same (the audit trail follows them).
  imports: [ReadModelModule.forFeature('policy', { streams: [POLICY_STREAM_PREFIX] })],
  controllers: [PolicyController],
  providers: [PolicyProvider],
  exports: [PolicyProvider],
})
export class PolicyModule {}
