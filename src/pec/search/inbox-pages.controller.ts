import { Body, Controller, Get, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../../access/require-access.js';
import { fieldErrors, parseFields } from '../../api/field-errors.js';
import { withoutBlanks } from '../../audit/activity-filter.js';
import { SignedInGuard } from '../../identity/auth.guards.js';
import type { Locale } from '../../i18n/locale.js';
import { isMessageKey, translate, type MessageKey } from '../../i18n/translate.js';
import { RECIPIENT_STATUSES } from '../correlation/recipient-states.js';
import { exportSelectionSchema } from '../export/export-input.js';
import { PecExport } from '../export/pec-export.js';
import { PecMessages } from '../pec-messages.js';
import { inboxQuerySchema, type InboxItem } from './inbox-query.js';
import { PecInbox } from './pec-inbox.js';

/** The page's "type" choice, as inbox filters: a PEC, an anomaly, or a receipt of any kind. */
const TYPES = {
  'posta-certificata': { entry: 'message', kind: ['posta-certificata'] },
  anomalia: { entry: 'message', kind: ['anomalia'] },
  ricevute: { entry: 'receipt' },
} as const;
type TypeChoice = keyof typeof TYPES;

const FILTER_FIELDS = ['q', 'mailboxId', 'direction', 'type', 'status', 'sender', 'recipient', 'since', 'until'] as const;

/**
 * The unified inbox page `/pec/messages`: every visible mailbox's messages sent and received, receipts
 * and anomalies, searched and filtered, newest first, a cursor to the next page; checkboxes select
 * messages for the export (.zip of .eml, or .mbox), which can also take every result of the filter.
 * Declared before the message page, whose `:id` would otherwise take `export.zip`.
 */
@ApiExcludeController()
@Controller('pec/messages')
@UseGuards(SignedInGuard)
export class PecInboxPagesController {
  constructor(
    private readonly inbox: PecInbox,
    private readonly messages: PecMessages,
    private readonly exporter: PecExport,
  ) {}

  @Get()
  @RequireAccess('pec-message', 'see')
  async list(@Req() req: Request, @Res() res: Response, @Query() raw: Record<string, string>): Promise<void> {
    const locale = req.locale!;
    const form = formValues(raw);
    const parsed = inboxQuerySchema.safeParse(toQuery(raw));
    const mailboxes = await this.messages.visibleMailboxes(req.principal!);
    const page = parsed.success ? await this.inbox.list(req.principal!, parsed.data) : undefined;
    const search = new URLSearchParams(Object.entries(form).filter(([, value]) => value !== '')).toString();
    res.status(parsed.success ? 200 : 422).render('pec-inbox', {
      title: translate(locale, 'pecInbox.title'),
      form,
      errors: parsed.success ? undefined : fieldErrors(parsed.error.issues, raw, locale).map((e) => `${e.field}: ${e.message}`),
      mailboxes: mailboxes.map((mailbox) => ({ ...mailbox, selected: mailbox.id === form.mailboxId })),
      directions: ['in', 'out'].map((key) => ({
        key,
        label: translate(locale, `pecInbox.direction.${key}` as MessageKey),
        selected: key === form.direction,
      })),
      types: Object.keys(TYPES).map((key) => ({
        key,
        label: translate(locale, `pecInbox.type.${key}` as MessageKey),
        selected: key === form.type,
      })),
      statuses: [...RECIPIENT_STATUSES, 'partial'].map((key) => ({
        key,
        label: translate(locale, `pecMessages.status.${key}` as MessageKey),
        selected: key === form.status,
      })),
      rows: page?.items.map((item) => row(locale, item)) ?? [],
      total: page ? translate(locale, page.totalCapped ? 'pecInbox.totalCapped' : 'pecInbox.total', { count: page.total }) : '',
      search,
      next: page?.nextCursor ? `/pec/messages?${search ? `${search}&` : ''}cursor=${page.nextCursor}` : undefined,
      first: raw.cursor ? `/pec/messages${search ? `?${search}` : ''}` : undefined,
    });
  }

  @Get(['export.zip', 'export.mbox'])
  @RequireAccess('pec-message', 'see')
  async exportResults(@Req() req: Request, @Res() res: Response, @Query() raw: Record<string, string>): Promise<void> {
    const { ids, ...filter } = parseFields(exportSelectionSchema, toQuery(raw), req.locale!);
    await this.exporter.send(req.principal!, req.path.endsWith('.mbox') ? 'mbox' : 'zip', { filter, ids }, res);
  }

  /** The selected rows (checkboxes), in the format of the button pressed. */
  @Post('export')
  @RequireAccess('pec-message', 'see')
  async exportSelected(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, string | string[]>): Promise<void> {
    const { ids, ...filter } = parseFields(exportSelectionSchema, { entry: 'all', ids: body.ids ?? [] }, req.locale!);
    await this.exporter.send(req.principal!, body.format === 'mbox' ? 'mbox' : 'zip', { filter, ids }, res);
  }
}

function formValues(raw: Record<string, string>): Record<(typeof FILTER_FIELDS)[number], string> {
  return Object.fromEntries(FILTER_FIELDS.map((field) => [field, typeof raw[field] === 'string' ? raw[field].trim() : ''])) as Record<
    (typeof FILTER_FIELDS)[number],
    string
  >;
}

/** The page's form as the inbox's query: the type choice becomes entry and kind; the page shows everything by default. */
function toQuery(raw: Record<string, string>): Record<string, unknown> {
  const { type, ...rest } = withoutBlanks(raw) as Record<string, string>;
  return { ...rest, ...(type && type in TYPES ? TYPES[type as TypeChoice] : { entry: 'all' }) };
}

function row(locale: Locale, item: InboxItem) {
  const receipt = item.entry === 'receipt';
  return {
    ...item,
    href: receipt ? (item.relatedId ? `/pec/messages/${item.relatedId}` : undefined) : `/pec/messages/${item.id}`,
    directionLabel: translate(locale, `pecInbox.direction.${item.direction}` as MessageKey),
    kindLabel: label(locale, receipt ? `pecMessages.event.${item.kind}` : `pecInbox.kind.${item.kind}`, item.kind),
    statusLabel: label(locale, receipt ? `pecInbox.status.${item.status}` : `pecMessages.status.${item.status}`, item.status),
    subjectText: item.subject || translate(locale, 'pecInbox.noSubject'),
    counterpart: item.direction === 'out' ? [...item.to, ...item.cc].join(', ') : item.from,
    at: { iso: item.createdAt, text: timeText(locale, item.createdAt) },
  };
}

/** The translation, or the value itself for one the catalogue does not name (an incoming message's own status). */
function label(locale: Locale, key: string, value: string): string {
  return isMessageKey(key) ? translate(locale, key) : value;
}

function timeText(locale: Locale, iso: string): string {
  const format = { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' } as const;
  return new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', format).format(new Date(iso));
}
