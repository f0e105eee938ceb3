import { Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../../access/require-access.js';
import { ProblemException } from '../../api/problem.js';
import { SignedInGuard } from '../../identity/auth.guards.js';
import { translate, type MessageKey } from '../../i18n/translate.js';
import { streamPolledEvents } from '../../web/polled-events.js';
import { CampaignViews } from '../campaign-views.js';
import { CampaignDashboard } from './campaign-dashboard.js';
import { CampaignReceiptsZip } from './campaign-receipts-zip.js';
import { curveView, recipientView, stateOptions, stateTiles } from './dashboard-views.js';
import { FailedResend } from './failed-resend.js';
import { RecipientList } from './recipient-list.js';

/**
 * How often a dashboard's event stream re-reads the counts (decision 0027). The sending worker moves the rows
 * in another process; one grouped COUNT on the (tenant_id, campaign_id, state, row_number) index every second
 * per open dashboard is cheap, and the stream sends only when a number changed.
 */
const POLL_MS = 1000;
const STYLES = ['/static/campaign-dashboard.css'];

/** The icon dashboard's pages: one campaign's (live over SSE), its recipients drill-down, and the manager view of all. */
@ApiExcludeController()
@Controller()
@UseGuards(SignedInGuard)
export class CampaignDashboardPagesController {
  constructor(
    private readonly views: CampaignViews,
    private readonly dashboard: CampaignDashboard,
    private readonly list: RecipientList,
    private readonly resender: FailedResend,
    private readonly receipts: CampaignReceiptsZip,
  ) {}

  @Get('campaign-dashboard')
  @RequireAccess('campaign', 'see')
  async overview(@Req() req: Request, @Res() res: Response): Promise<void> {
    const locale = req.locale!;
    const { totals, campaigns } = await this.dashboard.overview(req.principal!, locale);
    res.render('campaigns-dashboard', {
      title: translate(locale, 'campaigns.dashboard.overview'),
      pageStyles: STYLES,
      totals: stateTiles(locale, totals),
      campaigns: campaigns.map((campaign) => ({
        ...campaign,
        statusLabel: translate(locale, `campaigns.status.${campaign.status}` as MessageKey),
        tiles: stateTiles(locale, campaign.counts, campaign.id),
      })),
    });
  }

  @Get('campaigns/:id/dashboard')
  @RequireAccess('campaign', 'see')
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('error') error?: string): Promise<void> {
    const locale = req.locale!;
    const campaign = await this.views.summary(req.principal!, id, locale);
    const counts = await this.dashboard.counts(req.principal!, id);
    res.render('campaign-dashboard', {
      title: translate(locale, 'campaigns.dashboard.title', { name: campaign.name }),
      pageStyles: STYLES,
      pageScript: 'campaign-dashboard.js',
      campaign: { ...campaign, statusLabel: translate(locale, `campaigns.status.${campaign.status}` as MessageKey) },
      tiles: stateTiles(locale, counts, campaign.id),
      total: counts.total,
      failed: counts.failed,
      curve: curveView(locale, await this.dashboard.curve(req.principal!, id)),
      resendError: error === 'no-failed' ? translate(locale, 'campaigns.dashboard.noFailed') : null,
    });
  }

  /** Server-Sent Events: `counts` (recipients per state) at once and whenever a number changes. */
  @Get('campaigns/:id/dashboard/events')
  @RequireAccess('campaign', 'see')
  async events(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const principal = req.principal!;
    // Visibility first, so a campaign the caller may not see is a 404 and not an empty stream.
    const campaign = await this.views.find(principal, id, 'see');
    await streamPolledEvents(req, res, 'counts', POLL_MS, () => this.dashboard.counts(principal, campaign.id));
  }

  @Get('campaigns/:id/recipients')
  @RequireAccess('campaign', 'see')
  async recipients(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Query() query: Record<string, string>,
  ): Promise<void> {
    const locale = req.locale!;
    const campaign = await this.views.summary(req.principal!, id, locale);
    const filter = { state: query.state ?? '', error: query.error ?? '', q: query.q ?? '' };
    const page = await this.list.page(req.principal!, id, { ...filter, after: query.after ?? '' }, locale);
    const next = page.next === null ? null : `?${new URLSearchParams({ ...filter, after: String(page.next) }).toString()}`;
    res.render('campaign-recipients', {
      title: translate(locale, 'campaigns.dashboard.recipients', { name: campaign.name }),
      pageStyles: STYLES,
      campaign,
      filter,
      states: stateOptions(locale, filter.state),
      rows: page.recipients.map((row) => recipientView(locale, row)),
      next,
    });
  }

  // A form post (CSRF-checked like every page form): the new draft opens on its own page.
  @Post('campaigns/:id/resend-failed')
  @RequireAccess('campaign', 'act')
  async resend(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    try {
      const created = await this.resender.resend(req.principal!, id, req.locale!);
      res.redirect(303, `/campaigns/${created.id}`);
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() !== 409) throw error;
      res.redirect(303, `/campaigns/${id}/dashboard?error=no-failed`);
    }
  }

  @Get('campaigns/:id/receipts.zip')
  @RequireAccess('campaign', 'see')
  receiptsZip(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return this.receipts.send(req.principal!, id, res);
  }
}
