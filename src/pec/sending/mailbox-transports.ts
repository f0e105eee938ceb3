import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Mailbox } from '../../mailboxes/mailbox.entity.js';
import { smtpOptions } from '../../mailboxes/mail-connections.js';
import { MailboxAdministration } from '../../mailboxes/mailbox-administration.js';

/**
 * One pooled nodemailer transport per mailbox (a few SMTP connections reused across messages, as
 * providers expect from a sender), opened with the credentials taken out of SecretBox. A changed
 * mailbox (its `updatedAt`) gets a fresh pool.
 */
@Injectable()
export class MailboxTransports implements OnApplicationShutdown {
  private readonly pools = new Map<string, { version: number; transport: Transporter }>();

  constructor(private readonly mailboxes: MailboxAdministration) {}

  for(mailbox: Mailbox): Transporter {
    const version = mailbox.updatedAt.getTime();
    const pooled = this.pools.get(mailbox.id);
    if (pooled?.version === version) return pooled.transport;
    pooled?.transport.close();
    const endpoint = { host: mailbox.smtpHost, port: mailbox.smtpPort, security: mailbox.smtpSecurity };
    const options: SMTPPool.Options = { pool: true, maxConnections: 2, ...smtpOptions(endpoint, this.mailboxes.open(mailbox)) };
    const transport = createTransport(options);
    this.pools.set(mailbox.id, { version, transport });
    return transport;
  }

  onApplicationShutdown(): void {
    for (const { transport } of this.pools.values()) transport.close();
    this.pools.clear();
  }
}
