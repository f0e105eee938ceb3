import { Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../../access/require-access.js';
import { Visibility } from '../../access/visibility.js';
import { SignedInGuard } from '../../identity/auth.guards.js';
import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import { IntakeStarts } from './intake-starts.js';

/** Incoming PEC whose intake process did not start (stored all the same), with a retry: the page of /api/v1/pec-intake-failures. */
@ApiExcludeController()
@Controller('admin/pec-intake-failures')
@UseGuards(SignedInGuard)
export class IntakeFailuresPagesController {
  constructor(
    private readonly starts: IntakeStarts,
    private readonly visibility: Visibility,
  ) {}

  @Get()
  @RequireAccess('process-incident', 'see')
  async page(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.render(req, res);
  }

  @Post(':id/retry')
  @RequireAccess('process-incident', 'act')
  async retry(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const outcome = await this.starts.retry(id);
    const locale = req.locale!;
    await this.render(
      req,
      res,
      outcome.started ? translate(locale, 'pecIntakeFailures.started') : undefined,
      outcome.started ? undefined : [translate(locale, 'pecIntakeFailures.stillFailing', { error: outcome.error ?? '' })],
    );
  }

  private async render(req: Request, res: Response, notice?: string, errors?: string[]): Promise<void> {
    const locale = req.locale!;
    res.render('admin-pec-intake-failures', {
      title: translate(locale, 'pecIntakeFailures.title'),
      canRetry: await this.visibility.allows(req.principal!, 'process-incident', 'act'),
      failures: (await this.starts.failures()).map((failure) => ({
        ...failure,
        failingSinceText: timeText(locale, failure.failingSince),
        lastAttemptText: timeText(locale, failure.lastAttemptAt),
      })),
      notice,
      errors,
    });
  }
}

function timeText(locale: Locale, iso: string): string {
  const format = { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' } as const;
  return new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', format).format(new Date(iso));
}
