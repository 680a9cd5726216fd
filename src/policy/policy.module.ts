import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PolicyProvider } from './application/policy-provider';
import { ExecutePolicyCommandHandler } from './commands/execute-policy-command';
import { ActivePolicyInterceptor } from './http/active-policy.interceptor';
import { PolicyController } from './http/policy.controller';

@Global()
@Module({
  controllers: [PolicyController],
  providers: [
    PolicyProvider,
    ExecutePolicyCommandHandler,
    { provide: APP_INTERCEPTOR, useClass: ActivePolicyInterceptor },
  ],
  exports: [PolicyProvider],
})
export class PolicyModule {}
