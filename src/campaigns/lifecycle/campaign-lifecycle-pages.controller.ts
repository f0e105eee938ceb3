import { Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../../access/require-access.js';
import { ProblemException } from '../../api/problem.js';
import { SignedInGuard } from '../../identity/auth.guards.js';
import { CampaignLifecycle } from './campaign-lifecycle.js';

/**
 * The campaign page's "Send / Submit for approval", "Pause", "Resume" and "Cancel" forms. Both come back to the campaign page, with a
 * notice (`?lifecycle=`) saying what happened or why nothing did; the API says the same in problem bodies.
 */
@ApiExcludeController()
@Controller('campaigns')
@UseGuards(SignedInGuard)
export class CampaignLifecyclePagesController {
  constructor(private readonly lifecycle: CampaignLifecycle) {}

  @Post(':id/start')
  @RequireAccess('campaign', 'act')
  async start(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, string>): Promise<void> {
    const at = romeLocalToIso(body.scheduledAt ?? '');
    await this.back(res, id, 'submitted', () =>
      this.lifecycle.start(req.principal!, id, at === undefined ? {} : { scheduledAt: at }, req.locale!),
    );
  }

  @Post(':id/cancel')
  @RequireAccess('campaign', 'act')
  async cancel(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.back(res, id, 'cancelled', () => this.lifecycle.cancel(req.principal!, id, req.locale!));
  }

  @Post(':id/pause')
  @RequireAccess('campaign', 'act')
  async pause(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.back(res, id, 'paused', () => this.lifecycle.pause(req.principal!, id, req.locale!));
  }

  @Post(':id/resume')
  @RequireAccess('campaign', 'act')
  async resume(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.back(res, id, 'resumed', () => this.lifecycle.resume(req.principal!, id, req.locale!));
  }

  private async back(res: Response, id: string, done: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() >= 500 || error.getStatus() === 404) throw error;
      return res.redirect(303, `/campaigns/${id}?lifecycle=${error.getStatus() === 409 ? 'conflict' : 'invalid'}`);
    }
    res.redirect(303, `/campaigns/${id}?lifecycle=${done}`);
  }
}

/**
 * A `datetime-local` value is a wall-clock time without a zone: the offices read Italian time, so it is taken in
 * Europe/Rome. Empty: no schedule; anything else not of that shape goes to the API's validation as it is (422).
 */
export function romeLocalToIso(value: string): string | undefined {
  const text = value.trim();
  if (!text) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text)) return text;
  const asUtc = new Date(`${text}:00Z`);
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' })
    .formatToParts(asUtc)
    .find((part) => part.type === 'timeZoneName')?.value;
  const offset = /GMT([+-]\d{2}:\d{2})/.exec(zone ?? '')?.[1] ?? '+00:00';
  return `${text}:00${offset}`;
}
