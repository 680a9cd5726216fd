import type { LoggerService } from '@nestjs/common';

/** Nest's own start-up chatter (modules initialised, every route mapped): debug, not info. */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * The application logger as Nest sees it: the framework's start-up lines go to debug, so at info
 * the service's one start-up line (see startup-report.ts) is all a start writes. "Nest application
 * successfully started" is dropped: Nest logs it before listening, so a start that then fails on a
 * port in use would have claimed success first. A failure while creating or starting the app is
 * logged by Nest with its stack trace and also rejects to the caller, which reports it in one line
 * (main.ts): Nest's copy goes to debug.
 */
export class FrameworkLogLevels implements LoggerService {
  constructor(private readonly logger: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
      if (context === 'NestApplication' && /successfully started/.test(String(message))) return;
      this.logger.debug?.(message, ...params);
      return;
    }
    this.logger.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (context === 'ExceptionHandler' || context === 'NestApplication') {
      this.logger.debug?.(message, ...params);
      return;
    }
    this.logger.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.logger.fatal?.(message, ...params);
  }
}
