import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Level, type Logger, type LevelWithSilent } from 'pino';

/**
 * Credentials never reach the log: a person's token, a battery's proof (replayable until its jti
 * is remembered), the idempotency key that answers for a command, cookies.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["device-proof"]',
  'req.headers["idempotency-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** The service's one pino logger: JSON lines to stdout (or `destination`, for tests). */
export function createAppLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  const options = { level, redact: REDACTED_PATHS };
  return destination ? pino(options, destination) : pino(options);
}

/** A stack trace as Nest passes it to `error(message, stack, context)`. */
const STACK = /\n\s*at /;

/**
 * Nest's LoggerService on top of pino, so `new Logger('Context')` anywhere writes the same JSON
 * lines as before (`context` is the last argument Nest passes; a stack after an error message
 * becomes `err`).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length > 0) {
      fields.context = params[params.length - 1];
      rest = params.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message, ...rest);
    } else if (typeof message === 'object' && message !== null) {
      const [text, ...args] = rest;
      this.logger[level](
        { ...fields, ...message },
        typeof text === 'string' ? text : undefined,
        ...args,
      );
    } else if (
      level === 'error' &&
      rest.length === 1 &&
      typeof rest[0] === 'string' &&
      STACK.test(rest[0])
    ) {
      fields.err = { message: String(message), stack: rest[0] };
      this.logger.error(fields, String(message));
    } else {
      this.logger[level](fields, String(message), ...rest);
    }
  }
}
