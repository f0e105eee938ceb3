import { Body, Controller, Get, Param, Post, Query, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import type { Locale } from '../i18n/locale.js';
import { isMessageKey, translate, type MessageKey } from '../i18n/translate.js';
import { PecMessages } from '../pec/pec-messages.js';
import { CampaignDrafts } from './campaign-drafts.js';
import type { CampaignSummary, CampaignView } from './campaign-input.js';
import type { CampaignUploads } from './campaign-uploads.js';
import { CampaignViews } from './campaign-views.js';
import { CAMPAIGN_UPLOAD_FIELDS } from './campaigns.api.controller.js';
import { CampaignLifecycle } from './lifecycle/campaign-lifecycle.js';

type FormValues = Record<string, string>;

/**
 * The campaign pages: the list, the new-campaign form (file, columns, content, attachments in one form whose
 * sections are the wizard's steps) and a campaign's page — import progress (htmx polls it while the worker
 * imports), cost, pace and duration, the preview of any row and a test send. The same services as the API.
 */
@ApiExcludeController()
@Controller('campaigns')
@UseGuards(SignedInGuard)
export class CampaignPagesController {
  constructor(
    private readonly views: CampaignViews,
    private readonly drafts: CampaignDrafts,
    private readonly pec: PecMessages,
    private readonly lifecycle: CampaignLifecycle,
  ) {}

  @Get()
  @RequireAccess('campaign', 'see')
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    const locale = req.locale!;
    const campaigns = await this.views.list(req.principal!, locale);
    res.render('campaigns', { title: translate(locale, 'campaigns.title'), campaigns: campaigns.map((c) => summaryView(locale, c)) });
  }

  @Get('new')
  @RequireAccess('campaign', 'act')
  async compose(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderForm(req, res, { addressColumn: 'pec' });
  }

  // Multipart: multer parses the body after the CSRF check, so the form sends its token in the query string.
  @Post('new')
  @RequireAccess('campaign', 'act')
  @UseInterceptors(CAMPAIGN_UPLOAD_FIELDS)
  async create(
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: FormValues,
    @UploadedFiles() files: CampaignUploads | undefined,
  ): Promise<void> {
    const { _csrf: _token, ...fields } = body;
    try {
      const { id } = await this.drafts.create(req.principal!, fields, files ?? {}, req.locale!);
      res.redirect(303, `/campaigns/${id}`);
    } catch (error) {
      await this.renderForm(req, res, fields, formErrors(error, req.locale!));
    }
  }

  @Get(':id')
  @RequireAccess('campaign', 'see')
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('row') row?: string): Promise<void> {
    const locale = req.locale!;
    const campaign = await this.views.get(req.principal!, id, locale);
    const wanted = row !== undefined && /^\d{1,7}$/.test(row) ? Number(row) : undefined;
    const preview =
      campaign.import.state === 'done' && (campaign.recipients ?? 0) + (campaign.invalid ?? 0) > 0
        ? await this.views.preview(req.principal!, id, wanted, locale).catch((error: unknown) => {
            if (error instanceof ProblemException && error.getStatus() === 404) return null;
            throw error;
          })
        : null;
    const lifecycle = await this.lifecycle.page(req.principal!, campaign, locale, req.query.lifecycle);
    res.render('campaign', { title: campaign.name, campaign: campaignPage(locale, campaign), preview, askedRow: row, lifecycle });
  }

  @Post(':id/test-send')
  @RequireAccess('campaign', 'act')
  async testSend(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: FormValues): Promise<void> {
    const input = { to: body.to, ...(body.row ? { row: body.row } : {}) };
    try {
      const { id: messageId } = await this.drafts.testSend(req.principal!, id, input, req.locale!);
      res.redirect(303, `/pec/messages/${messageId}`);
    } catch (error) {
      const locale = req.locale!;
      const campaign = await this.views.get(req.principal!, id, locale);
      res
        .status(422)
        .render('campaign', { title: campaign.name, campaign: campaignPage(locale, campaign), testErrors: formErrors(error, locale) });
    }
  }

  private async renderForm(req: Request, res: Response, values: FormValues, errors?: string[]): Promise<void> {
    const locale = req.locale!;
    const mailboxes = await this.pec.sendableMailboxes(req.principal!);
    res.status(errors ? 422 : 200).render('campaign-new', {
      title: translate(locale, 'campaigns.new'),
      values,
      errors,
      mailboxes: mailboxes.map((mailbox) => ({ ...mailbox, selected: mailbox.id === values.mailboxId })),
    });
  }
}

/** A 4xx becomes messages beside the form ("field: message"); anything else is the error page's. */
function formErrors(error: unknown, locale: Locale): string[] {
  if (!(error instanceof ProblemException) || error.getStatus() >= 500) throw error;
  const label = (field: string) => {
    const key = `campaigns.field.${field}`;
    return isMessageKey(key) ? translate(locale, key) : field;
  };
  return (
    error.extras.errors?.map((e) => ('field' in e ? `${label(e.field)}: ${e.message}` : e.message)) ?? [
      error.detail ?? translate(locale, `problem.${error.problemType}` as MessageKey),
    ]
  );
}

function summaryView(locale: Locale, campaign: CampaignSummary) {
  return {
    ...campaign,
    statusLabel: translate(locale, `campaigns.status.${campaign.status}` as MessageKey),
    importLabel: translate(locale, `campaigns.import.${campaign.import.state}` as MessageKey),
    createdAtText: new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
      dateStyle: 'short',
      timeStyle: 'short',
      timeZone: 'Europe/Rome',
    }).format(new Date(campaign.createdAt)),
  };
}

function campaignPage(locale: Locale, campaign: CampaignView) {
  const running = campaign.import.state === 'pending' || campaign.import.state === 'running';
  return {
    ...summaryView(locale, campaign),
    running,
    done: campaign.import.state === 'done',
    durationText: durationText(locale, campaign.estimate.estimatedSeconds),
  };
}

function durationText(locale: Locale, seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.ceil((seconds % 3_600) / 60);
  return translate(locale, 'campaigns.duration', { days, hours, minutes });
}
