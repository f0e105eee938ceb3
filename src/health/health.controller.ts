import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../queue/redis.module.js';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref())]);
}

/** Liveness (the process answers) and readiness (its databases answer), on any host. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'The process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'PostgreSQL and Redis answer; 503 naming the failing part otherwise' })
  async ready(@Res() res: Response): Promise<void> {
    const checks = await Promise.allSettled([withTimeout(this.dataSource.query('SELECT 1')), withTimeout(this.redis.ping())]);
    const failing = (['postgresql', 'redis'] as const).filter((_, i) => checks[i]?.status === 'rejected');
    if (failing.length === 0) {
      res.status(200).json({ status: 'ok' });
      return;
    }
    res.status(503).json({ status: 'error', failing });
  }
}
