import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OrganisationService } from '../access/organisation.service.js';
import { RequireAccess } from '../access/require-access.js';
import { Visibility } from '../access/visibility.js';
import { fieldErrors } from '../api/field-errors.js';
import { ProblemException } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { MailboxAdministration, type ProbeResult } from './mailbox-administration.js';
import { describeFieldErrors, inputFromForm } from './mailbox-form.js';
import { mailboxPatchSchema, newMailboxSchema } from './mailbox-input.js';
import { PRESET_KEYS, SECURITIES } from './mailbox-presets.js';
import { PROFILE_KEYS, PROFILES } from './mailbox-profiles.js';
import type { MailboxView } from './mailbox-view.js';

/** The mailbox pages: the same service as the API; admins edit and probe, everyone else reads. */
@ApiExcludeController()
@Controller('admin/mailboxes')
@UseGuards(SignedInGuard)
export class MailboxPagesController {
  constructor(
    private readonly mailboxes: MailboxAdministration,
    private readonly organisation: OrganisationService,
    private readonly visibility: Visibility,
  ) {}

  @Get()
  @RequireAccess('mailbox', 'see')
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    const locale = req.locale!;
    res.render('admin-mailboxes', {
      title: translate(locale, 'mailboxes.title'),
      canAdminister: await this.visibility.allows(req.principal!, 'mailbox', 'administer'),
      // The way to the test-PEC page, for whoever may send from a mailbox.
      canSend: await this.visibility.allows(req.principal!, 'mailbox', 'act'),
      rows: (await this.mailboxes.list(req.principal!, locale)).map((mailbox) => this.row(locale, mailbox)),
    });
  }

  @Get('new')
  @RequireAccess('mailbox', 'administer')
  async newMailbox(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderForm(req, res, undefined, {
      preset: 'aruba',
      profile: 'standard',
      ...this.mailboxes.presets.aruba,
      limits: PROFILES.standard,
    });
  }

  @Post('new')
  @RequireAccess('mailbox', 'administer')
  async create(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const input = inputFromForm(body);
    const parsed = newMailboxSchema.safeParse(input);
    try {
      if (!parsed.success)
        throw new ProblemException(422, 'validation', undefined, { errors: fieldErrors(parsed.error.issues, input, locale) });
      const created = await this.mailboxes.create(req.principal!, parsed.data, locale);
      res.redirect(303, `/admin/mailboxes/${created.id}?saved=1`);
    } catch (error) {
      await this.renderForm(req, res, undefined, formValues(input), this.errorsOf(locale, error));
    }
  }

  @Get(':id')
  @RequireAccess('mailbox', 'see')
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('saved') saved?: string): Promise<void> {
    const mailbox = await this.mailboxes.get(req.principal!, id, req.locale!);
    await this.renderForm(req, res, mailbox, mailbox, undefined, saved ? translate(req.locale!, 'mailboxes.saved') : undefined);
  }

  @Post(':id')
  @RequireAccess('mailbox', 'administer')
  async save(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const input = inputFromForm(body);
    const mailbox = await this.mailboxes.get(req.principal!, id, locale);
    const parsed = mailboxPatchSchema.safeParse(input);
    try {
      if (!parsed.success)
        throw new ProblemException(422, 'validation', undefined, { errors: fieldErrors(parsed.error.issues, input, locale) });
      await this.mailboxes.update(req.principal!, id, parsed.data, locale);
      res.redirect(303, `/admin/mailboxes/${id}?saved=1`);
    } catch (error) {
      await this.renderForm(req, res, mailbox, { ...mailbox, ...formValues(input) }, this.errorsOf(locale, error));
    }
  }

  /** The page with the probe's outcome; htmx swaps in only the result region (hx-select), without JS the page reloads. */
  @Post(':id/probe')
  @RequireAccess('mailbox', 'administer')
  async probe(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const result = await this.mailboxes.probe(req.principal!, id, req.locale!);
    const mailbox = await this.mailboxes.get(req.principal!, id, req.locale!);
    await this.renderForm(req, res, mailbox, mailbox, undefined, undefined, result);
  }

  @Post(':id/remove')
  @RequireAccess('mailbox', 'administer')
  async remove(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.mailboxes.remove(req.principal!, id);
    res.redirect(303, '/admin/mailboxes');
  }

  private async renderForm(
    req: Request,
    res: Response,
    mailbox: MailboxView | undefined,
    values: FormValues,
    errors?: string[],
    notice?: string,
    probe?: ProbeResult,
  ): Promise<void> {
    const locale = req.locale!;
    const tree = await this.organisation.tree();
    const assigned = new Set(values.officeIds ?? mailbox?.offices.map((office) => office.id) ?? []);
    res.status(errors ? 422 : 200).render('admin-mailbox', {
      title: mailbox?.address ?? translate(locale, 'mailboxes.new'),
      pageScript: 'mailbox-form.js',
      isNew: !mailbox,
      mailbox: mailbox && this.row(locale, mailbox),
      values,
      canAdminister: await this.visibility.allows(req.principal!, 'mailbox', 'administer'),
      presets: PRESET_KEYS.map((key) => ({ key, label: translate(locale, `mailboxes.preset.${key}`), selected: key === values.preset })),
      profiles: PROFILE_KEYS.map((key) => ({
        key,
        label: translate(locale, `mailboxes.profile.${key}`),
        selected: key === values.profile,
      })),
      securities: SECURITIES.map((key) => ({ key, label: translate(locale, `mailboxes.security.${key}`) })),
      presetData: JSON.stringify(this.mailboxes.presets),
      profileData: JSON.stringify(PROFILES),
      offices: tree.ordered().map(({ office, path }) => ({ id: office.id, path, checked: assigned.has(office.id) })),
      probe: probe && {
        ...probe,
        stateLabel: translate(locale, `mailboxes.state.${probe.state}`),
      },
      errors,
      notice,
    });
  }

  private row(locale: Locale, mailbox: MailboxView) {
    return {
      ...mailbox,
      stateLabel: translate(locale, `mailboxes.state.${mailbox.state}`),
      profileLabel: translate(locale, `mailboxes.profile.${mailbox.profile}`),
      presetLabel: translate(locale, `mailboxes.preset.${mailbox.preset}`),
      officePaths: mailbox.offices.map((office) => office.path).join(', '),
      stateSinceText: timeText(locale, mailbox.stateSince),
      checkedAtText: mailbox.checkedAt && timeText(locale, mailbox.checkedAt),
    };
  }

  private errorsOf(locale: Locale, error: unknown): string[] {
    if (!(error instanceof ProblemException)) throw error;
    if (error.getStatus() === 409) return [translate(locale, 'mailboxes.error.duplicate', { address: error.detail ?? '' })];
    if (error.getStatus() !== 422) throw error;
    return describeFieldErrors(locale, (error.extras.errors ?? []) as { field: string; message: string }[]);
  }
}

/** What the form shows: a mailbox's settings, or what was just submitted (never the password). */
interface FormValues {
  address?: string;
  preset?: unknown;
  profile?: unknown;
  smtp?: unknown;
  imap?: unknown;
  sentFolder?: unknown;
  limits?: unknown;
  officeIds?: string[];
}

// Italian time, like the activity log: the people reading it work in Italy, whatever the server's zone.
function timeText(locale: Locale, iso: string): string {
  const format = { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Rome' } as const;
  return new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', format).format(new Date(iso));
}

function formValues(input: Record<string, unknown>): FormValues {
  const { password: _never, ...values } = input;
  return values;
}
