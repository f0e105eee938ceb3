import { Body, Controller, Get, Param, Post, Query, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { fieldErrors } from '../api/field-errors.js';
import { BeatsPreview } from '../beats/beats-preview.js';
import { previewView } from '../beats/beats-preview-view.js';
import { ProblemException } from '../api/problem.js';
import { sendAttachment } from '../api/send-attachment.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import { RECEIPT_KINDS } from './classification.js';
import { formMessage, PEC_UPLOAD_MAX_FILES, uploadOptions, uploaded } from './compose-form.js';
import { MessageDrafts } from './message-drafts.js';
import { PecMessages } from './pec-messages.js';
import { isFinal } from './correlation/recipient-states.js';
import type { FileUrl } from './store/message-content.js';
import { newPecMessageSchema, RECEIPT_TYPES, type MessageView } from './store/pec-message-input.js';

type FormValues = Record<string, string>;

/** The timeline kinds with a label: what the sender writes and the receipts' kinds. */
const EVENT_KINDS = new Set<string>(['queued', 'sending', 'submitted', 'throttled', 'refused', 'no-receipt', ...RECEIPT_KINDS]);
/** The kinds of stored messages with a label of their own; anything else is `other`. */
const KINDS = new Set<string>(['posta-certificata', 'anomalia', 'not-pec', 'rem']);

/**
 * The PEC pages: compose (a new PEC, a reply `?replyTo=` or a forward `?forwardOf=`), with attachments; a
 * message's page: for one we sent, each recipient's status and timeline, which htmx refreshes every
 * 2 s until every recipient is final; for one received, its certification, signature, sanitised body
 * and files. The same service as the API.
 */
@ApiExcludeController()
@Controller('pec/messages')
@UseGuards(SignedInGuard)
export class PecMessagePagesController {
  constructor(
    private readonly messages: PecMessages,
    private readonly drafts: MessageDrafts,
    private readonly preview: BeatsPreview,
  ) {}

  @Get('new')
  @RequireAccess('mailbox', 'act')
  async compose(
    @Req() req: Request,
    @Res() res: Response,
    @Query('replyTo') replyTo?: string,
    @Query('forwardOf') forwardOf?: string,
    @Query('to') to?: string,
    @Query('cc') cc?: string,
  ): Promise<void> {
    const draft = replyTo
      ? await this.drafts.reply(req.principal!, replyTo, req.locale!)
      : forwardOf
        ? await this.drafts.forward(req.principal!, forwardOf)
        : { subject: translate(req.locale!, 'pecMessages.testSubject') };
    // `to` and `cc`: the cost preview asks this page again as the recipients change (htmx).
    await this.renderForm(req, res, {
      receiptType: 'completa',
      ...draft,
      ...(to === undefined ? {} : { to }),
      ...(cc === undefined ? {} : { cc }),
    });
  }

  @Post('new')
  @RequireAccess('mailbox', 'act')
  // multipart (the form has a file field): the CSRF token travels in the query (web/csrf.ts).
  @UseInterceptors(FilesInterceptor('attachments', PEC_UPLOAD_MAX_FILES, uploadOptions))
  async send(
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: FormValues,
    @UploadedFiles() files?: Express.Multer.File[],
  ): Promise<void> {
    const locale = req.locale!;
    const input = formMessage(body);
    try {
      const parsed = newPecMessageSchema.safeParse(input);
      if (!parsed.success)
        throw new ProblemException(422, 'validation', undefined, { errors: fieldErrors(parsed.error.issues, input, locale) });
      // Uploads are not kept across a failed submission: the form asks for them again.
      const { id } = await this.messages.send(req.principal!, parsed.data, locale, uploaded(files));
      res.redirect(303, `/pec/messages/${id}`);
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() >= 500 || error.getStatus() === 404) throw error;
      const errors = error.extras.errors?.map((e) => ('field' in e ? `${e.field}: ${e.message}` : e.message)) ?? [
        error.detail ?? translate(locale, `problem.${error.problemType}` as MessageKey),
      ];
      await this.renderForm(req, res, body, errors);
    }
  }

  @Get(':id')
  @RequireAccess('pec-message', 'see')
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const locale = req.locale!;
    const message = await this.messages.get(req.principal!, id, locale, pageFileUrl);
    res.render('pec-message', { title: message.subject, message: this.view(locale, message) });
  }

  @Get(':id/attachments/:key')
  @RequireAccess('pec-message', 'see')
  async attachment(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('key') key: string): Promise<void> {
    const { file, content } = await this.messages.attachment(req.principal!, id, key);
    sendAttachment(res, { filename: file.name, contentType: file.contentType, content });
  }

  private async renderForm(req: Request, res: Response, values: FormValues, errors?: string[]): Promise<void> {
    const locale = req.locale!;
    const mailboxes = await this.messages.sendableMailboxes(req.principal!);
    res.status(errors ? 422 : 200).render('pec-compose', {
      title: translate(locale, 'pecMessages.new'),
      values,
      errors,
      mailboxes: mailboxes.map((mailbox) => ({ ...mailbox, selected: mailbox.id === values.mailboxId })),
      beatsPreview: previewView(locale, await this.preview.of('pec.send', recipientCount(values)), {
        url: '/pec/messages/new',
        trigger: 'input changed delay:400ms from:#to, input changed delay:400ms from:#cc',
        include: '#to, #cc',
      }),
      receiptTypes: RECEIPT_TYPES.map((key) => ({
        key,
        label: translate(locale, `pecMessages.receiptType.${key}`),
        selected: key === (values.receiptType ?? 'completa'),
      })),
    });
  }

  private view(locale: Locale, message: MessageView) {
    const status = (value: string) => translate(locale, `pecMessages.status.${value}` as MessageKey);
    return {
      ...message,
      incoming: message.direction === 'in',
      statusLabel: status(message.status),
      kindLabel: translate(locale, `pecMessages.kind.${KINDS.has(message.kind) ? message.kind : 'other'}` as MessageKey),
      createdAtText: timeText(locale, message.createdAt),
      sentAtText: message.sentAt ? timeText(locale, message.sentAt) : null,
      signatureLabel: message.signature ? translate(locale, `pecMessages.signature.${message.signature.status}`) : null,
      attachments: message.attachments.map((file) => ({
        ...file,
        href: pageFileUrl(message.id, file.key),
        sizeText: sizeText(locale, file.size),
      })),
      live: message.recipients.some((recipient) => !isFinal(recipient.status)),
      recipients: message.recipients.map((recipient) => ({
        ...recipient,
        statusLabel: status(recipient.status),
        events: recipient.events.map((event) => ({
          ...event,
          label: EVENT_KINDS.has(event.kind) ? translate(locale, `pecMessages.event.${event.kind}` as MessageKey) : event.kind,
          atText: timeText(locale, event.at),
        })),
      })),
    };
  }
}

/** This page's own download route: the page's session signs it in (the API's route takes a bearer token). */
const pageFileUrl: FileUrl = (messageId, key) => `/pec/messages/${messageId}/attachments/${encodeURIComponent(key)}`;

function sizeText(locale: Locale, bytes: number): string {
  const format = new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: 1 });
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${format.format(bytes / 1024)} KB`
      : `${format.format(bytes / 1024 / 1024)} MB`;
}

/** What `pec.send` charges: one unit per distinct recipient, to and cc together, as PecMessages counts them. */
function recipientCount(values: FormValues): number {
  return new Set([...addresses(values.to), ...addresses(values.cc)].map((address) => address.toLowerCase())).size;
}

function addresses(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}

function timeText(locale: Locale, iso: string): string {
  const format = { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Rome' } as const;
  return new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', format).format(new Date(iso));
}
