import { Body, Controller, Get, Post, Query, Req, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { translate } from '../i18n/translate.js';
import { parseForm } from '../web/form.js';
import { BeatsPageView } from './beats-page-view.js';
import { LowBalanceAlert } from './low-balance.js';
import { UsageDownloads } from './usage-download.js';
import { parseUsageQuery } from './usage-query.js';

const thresholdForm = z.object({ lowBalance: z.union([z.literal(''), z.coerce.number().int().min(0).max(2_000_000_000)]) });

/** /admin/beats: balance, packs, usage charts with their tables, exports and the low-balance threshold. */
@ApiExcludeController()
@Controller('admin/beats')
@UseGuards(SignedInGuard)
export class BeatsPagesController {
  constructor(
    private readonly view: BeatsPageView,
    private readonly downloads: UsageDownloads,
    private readonly lowBalance: LowBalanceAlert,
    private readonly visibility: Visibility,
  ) {}

  @Get()
  @RequireAccess('beats', 'see')
  async page(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const { period } = parseUsageQuery({ from: query.from, to: query.to });
    const locale = req.locale!;
    res.render('admin-beats', {
      title: translate(locale, 'beats.page.title'),
      pageStyles: ['/static/beats.css'],
      notice: query.saved ? translate(locale, 'beats.threshold.saved') : undefined,
      canAdminister: await this.visibility.allows(req.principal!, 'beats', 'administer'),
      ...(await this.view.build(req.principal!, period, locale)),
    });
  }

  @Get('export')
  @RequireAccess('beats', 'see')
  async export(@Req() req: Request, @Query() query: Record<string, unknown>): Promise<StreamableFile> {
    const parsed = parseUsageQuery(query);
    if (parsed.format === 'json') throw new ProblemException(400, 'validation');
    return (await this.downloads.answer(req.principal!, parsed, req.locale!)) as StreamableFile;
  }

  @Post('alerts')
  @RequireAccess('beats', 'administer')
  async saveThreshold(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(thresholdForm, body);
    if (!form.ok) throw new ProblemException(400, 'validation');
    const value = form.data.lowBalance === '' ? null : form.data.lowBalance;
    await this.lowBalance.setThreshold(value, { id: req.principal!.userId, email: req.principal!.email });
    res.redirect(303, '/admin/beats?saved=1');
  }
}
