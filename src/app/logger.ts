import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { TenantContext } from '../db/tenant-context.js';

/** Structured JSON logs (pino) carrying the tenant of the work in hand. Never log secrets or bodies. */
export class PinoLogger implements LoggerService {
  readonly pino: Logger;

  constructor(level: string) {
    this.pino = pino({ level, base: { service: 'pecflow' }, redact: ['req.headers.authorization', 'req.headers.cookie'] });
  }

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, context: unknown[]): void {
    const tenant = TenantContext.optional()?.slug;
    const ctx = context.filter((c) => typeof c === 'string').at(-1);
    this.pino[level]({ ...(tenant ? { tenant } : {}), ...(ctx ? { context: ctx } : {}) }, String(message));
  }

  log(message: unknown, ...context: unknown[]): void {
    this.write('info', message, context);
  }
  error(message: unknown, ...context: unknown[]): void {
    this.write('error', message, context);
  }
  warn(message: unknown, ...context: unknown[]): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, ...context: unknown[]): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, ...context: unknown[]): void {
    this.write('trace', message, context);
  }
}
