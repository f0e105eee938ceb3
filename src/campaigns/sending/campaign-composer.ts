import { Injectable } from '@nestjs/common';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Mailbox } from '../../mailboxes/mailbox.entity.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { CampaignFiles } from '../campaign-files.js';
import { maxMessageBytes } from '../campaign-size.js';
import { compileTemplates, type RenderedMessage } from '../campaign-templates.js';
import { contentTypeOf } from '../campaign-uploads.js';
import type { Campaign } from '../campaign.entities.js';
import { templatesOf } from '../recipient-import.js';
import { openVariables } from '../recipient-variables.js';
import type { ClaimedRecipient } from './recipient-batches.js';

interface Attachment {
  filename: string;
  content: Buffer;
}

/** One recipient's PEC, ready to submit, or why it cannot be sent. */
export type Composed = { raw: Buffer; tooLarge?: undefined } | { tooLarge: { bytes: number; limit: number }; raw?: undefined };

/** What every message of a campaign shares: compiled once, reused for each recipient of a batch. */
export interface CampaignMessages {
  compose(recipient: ClaimedRecipient): Promise<Composed>;
}

/**
 * Builds each recipient's PEC: the campaign's Handlebars templates rendered with the row's variables,
 * the campaign-wide attachments and the row's own (CampaignFiles), under the deterministic Message-ID
 * fixed at import. The composed size is checked against the mailbox profile and the 30 MB legal cap:
 * the estimate at import cannot see what rendered variables add (decision 0024).
 */
@Injectable()
export class CampaignComposer {
  constructor(
    private readonly files: CampaignFiles,
    private readonly box: SecretBox,
  ) {}

  async prepare(campaign: Campaign, mailbox: Mailbox): Promise<CampaignMessages> {
    const render = compileTemplates(templatesOf(campaign));
    const shared = await Promise.all(
      (await this.files.list(campaign.id, 'attachment')).map((file) => this.files.opened(campaign.id, file.id)),
    );
    const limit = maxMessageBytes(mailbox.maxMessageMb);
    return {
      compose: async (recipient) => {
        const rendered = render(openVariables(this.box, campaign.id, recipient.rowNumber, recipient.variables));
        const own = recipient.attachmentFileId === null ? [] : [await this.files.opened(campaign.id, recipient.attachmentFileId)];
        const raw = await build(mailbox.address, recipient, rendered, [...shared, ...own]);
        return raw.length > limit ? { tooLarge: { bytes: raw.length, limit } } : { raw };
      },
    };
  }
}

function build(from: string, recipient: ClaimedRecipient, rendered: RenderedMessage, attachments: Attachment[]): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    to: recipient.address,
    subject: rendered.subject,
    ...(rendered.text === null ? {} : { text: rendered.text }),
    ...(rendered.html === null ? {} : { html: rendered.html }),
    messageId: `<${recipient.messageId}>`,
    attachments: attachments.map((a) => ({
      filename: a.filename,
      contentType: contentTypeOf(a.filename),
      content: a.content,
      contentDisposition: 'attachment' as const,
    })),
  });
  return new Promise((resolve, reject) => composer.compile().build((error, message) => (error ? reject(error) : resolve(message))));
}
