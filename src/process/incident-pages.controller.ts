import { Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import { ProcessIncidents } from './process-incidents.js';
import { dateView } from './task-inbox-page.js';

const ERRORS: Record<string, MessageKey> = { conflict: 'incidents.error.conflict', 'not-found': 'incidents.error.notFound' };

/** Incidents for admins (Incidenti): what each service task's plug answered, and a button to send the call again. */
@ApiExcludeController()
@Controller('admin/incidents')
@UseGuards(SignedInGuard)
export class IncidentPagesController {
  constructor(private readonly incidents: ProcessIncidents) {}

  @Get()
  @RequireAccess('process-incident', 'see')
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const rows = (await this.incidents.list(req.principal!)).map((incident) => ({
      ...incident,
      created: dateView(new Date(incident.createdAt), locale),
    }));
    const error = typeof query.error === 'string' ? ERRORS[query.error] : undefined;
    res.render('incidents', {
      title: translate(locale, 'incidents.title'),
      rows,
      ...(query.done === 'retried' ? { notice: translate(locale, 'incidents.retried') } : {}),
      ...(error ? { errors: [translate(locale, error)] } : {}),
    });
  }

  @Post(':id/retry')
  @RequireAccess('process-incident', 'act')
  async retry(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    try {
      await this.incidents.retry(req.principal!, id);
    } catch (error) {
      // Retried by someone else meanwhile, or gone: said on the list, not as an error page.
      if (error instanceof ProblemException && ERRORS[error.problemType])
        return res.redirect(303, `/admin/incidents?error=${error.problemType}`);
      throw error;
    }
    res.redirect(303, '/admin/incidents?done=retried');
  }
}
