import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { SMTPSentMessageInfo } from 'nodemailer/lib/smtp-transport';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { LocalMailboxes } from './local-mailboxes.js';
import { listenOnLoopback, SmtpReply } from './loopback-smtp.js';

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * SMTP server on 127.0.0.1 that accepts mail for the mailboxes of pecflow's own Dovecot
 * (LocalMailboxes) and delivers it there over LMTP. It is what SMTP_URL points at in the demo, so
 * the password-reset and notification mails land in mailboxes you can open over IMAP; later it
 * becomes the ordinary-mail side of the local PEC provider.
 *
 * Plain text and no AUTH: it listens on loopback only and relays nowhere but the local Dovecot.
 */
@Injectable()
export class LocalMailRelay implements OnApplicationShutdown {
  private readonly logger = new Logger(LocalMailRelay.name);
  private readonly lmtp: Transporter<SMTPSentMessageInfo>;
  private server: SMTPServer | undefined;

  constructor(
    private readonly mailboxes: LocalMailboxes,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.lmtp = createTransport({ host: '127.0.0.1', port: config.DOVECOT_LMTP_PORT, lmtp: true, ignoreTLS: true });
  }

  /** Starts listening on 127.0.0.1:port (0 picks a free port) and resolves with the bound port. */
  async listen(port: number = this.config.LOCAL_MAIL_PORT): Promise<number> {
    if (this.server) throw new Error('LocalMailRelay is already listening');
    const server = new SMTPServer({
      name: hostname(),
      banner: 'pecflow local mail',
      logger: false,
      // Loopback only: there is nobody to protect the session from, and no AUTH so that a client
      // configured with credentials skips it instead of failing on an unencrypted connection.
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      disableReverseLookup: true,
      hideENHANCEDSTATUSCODES: false,
      size: MAX_MESSAGE_BYTES,
      rejectOversized: true,
      closeTimeout: CLOSE_TIMEOUT_MS,
      onRcptTo: (address, session, callback) => {
        this.checkRecipient(address).then(
          () => callback(),
          (error: unknown) => callback(error instanceof SmtpReply ? error : this.temporaryFailure('RCPT', session, error)),
        );
      },
      onData: (stream, session, callback) => {
        this.deliver(stream, session).then(
          () => callback(),
          (error: unknown) => callback(this.temporaryFailure('DATA', session, error)),
        );
      },
    });
    const bound = await listenOnLoopback(server, port, this.logger);
    this.server = server;
    return bound;
  }

  /** Stops accepting connections; sessions still open get CLOSE_TIMEOUT_MS to finish. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(resolve));
    this.lmtp.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async checkRecipient(address: SMTPServerAddress): Promise<void> {
    if (!(await this.mailboxes.exists(address.address))) {
      throw new SmtpReply(550, `Mailbox <${address.address}> does not exist here`);
    }
  }

  private async deliver(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    // rejectOversized already answers 552; nothing to deliver.
    if (stream.sizeExceeded) return;

    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
    };
    const raw = Buffer.concat([Buffer.from(receivedHeader(session), 'utf8'), ...chunks]);
    const info = await this.lmtp.sendMail({ envelope, raw });
    // LMTP answers per recipient, SMTP only once: if any recipient failed, the sender must retry the
    // whole message. A second copy for the recipients that got it is better than losing it.
    if (info.rejected.length > 0) {
      throw new Error(`LMTP refused ${info.rejected.length} of ${envelope.to.length} recipients: ${info.response}`);
    }
  }

  /** 451 4.3.0: the sender keeps the message and retries later, so nothing is lost. */
  private temporaryFailure(stage: string, session: SMTPServerSession, error: unknown): SmtpReply {
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`${stage} failed for session ${session.id}: ${reason}`);
    return new SmtpReply(451, 'Local delivery failed, try again later');
  }
}

/** RFC 5321 §4.4: every SMTP server that accepts a message adds a Received trace line. */
function receivedHeader(session: SMTPServerSession): string {
  const helo = session.hostNameAppearsAs || 'unknown';
  return (
    `Received: from ${helo} ([${session.remoteAddress}])\r\n` +
    `\tby ${hostname()} (pecflow local mail) with ${session.transmissionType} id ${session.id};\r\n` +
    `\t${new Date().toUTCString().replace('GMT', '+0000')}\r\n`
  );
}
