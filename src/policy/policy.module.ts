import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PolicyProvider } from './application/policy-provider';
import { ExecutePolicyCommandHandler } from './commands/execute-policy-command';
import { ActivePolicyInterceptor } from './http/active-policy.interceptor';
import { PendingApprovalsController } from './http/pending-approvals.controller';
import { PolicyController } from './http/policy.controller';
import { PendingApprovalsHandler } from './queries/pending-approvals.query';

@Global()
@Module({
  controllers: [PolicyController, PendingApprovalsController],
  providers: [
    PolicyProvider,
    ExecutePolicyCommandHandler,
    PendingApprovalsHandler,
    { provide: APP_INTERCEPTOR, useClass: ActivePolicyInterceptor },
  ],
  exports: [PolicyProvider],
})
export class PolicyModule {}
