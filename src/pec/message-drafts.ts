import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/principal.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { PecMessages } from './pec-messages.js';
import { MessageContent } from './store/message-content.js';

/** The compose form's values prefilled from a message the caller sees. */
export interface MessageDraft {
  mailboxId: string;
  to: string;
  subject: string;
  text: string;
  replyTo?: string;
  forwardOf?: string;
}

/**
 * Replies and forwards start from the message: from the mailbox it arrived in (or was sent from),
 * with `Re:`/`Fwd:` once. A reply goes to the sender with the text quoted; a forward has no recipient
 * yet and carries the message itself as an attachment (PecMessages.send adds it).
 */
@Injectable()
export class MessageDrafts {
  constructor(
    private readonly messages: PecMessages,
    private readonly content: MessageContent,
  ) {}

  async reply(principal: Principal, id: string, locale: Locale): Promise<MessageDraft> {
    const message = await this.messages.visible(principal, id);
    const text = this.content.text(message) ?? '';
    const header = translate(locale, 'pecMessages.replyQuote', {
      date: new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
        dateStyle: 'short',
        timeStyle: 'short',
        timeZone: 'Europe/Rome',
      }).format(message.sentAt ?? message.createdAt),
      from: message.fromAddress,
    });
    const quoted = text
      .split(/\r?\n/)
      .map((line) => `> ${line}`)
      .join('\n');
    return {
      mailboxId: message.mailboxId,
      to: message.direction === 'in' ? message.fromAddress : message.toAddresses.join(', '),
      subject: prefixed('Re:', message.subject),
      text: `\n\n${header}\n${quoted}\n`,
      replyTo: message.id,
    };
  }

  async forward(principal: Principal, id: string): Promise<MessageDraft> {
    const message = await this.messages.visible(principal, id);
    return { mailboxId: message.mailboxId, to: '', subject: prefixed('Fwd:', message.subject), text: '', forwardOf: message.id };
  }
}

function prefixed(prefix: string, subject: string): string {
  return subject.toLowerCase().startsWith(prefix.toLowerCase()) ? subject : `${prefix} ${subject}`;
}
