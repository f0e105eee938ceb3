import { createTransport, type Transporter } from 'nodemailer';
import type { SMTPSentMessageInfo } from 'nodemailer/lib/smtp-transport';

/** Puts provider messages into Dovecot mailboxes over LMTP (the punto di consegna's last step). */
export class LmtpDelivery {
  private readonly lmtp: Transporter<SMTPSentMessageInfo>;

  constructor(port: number) {
    this.lmtp = createTransport({ host: '127.0.0.1', port, lmtp: true, ignoreTLS: true });
  }

  /** Resolves once Dovecot has stored `raw` in the mailbox of `to`; throws (to be retried) otherwise. */
  async deliver(from: string, to: string, raw: Buffer): Promise<void> {
    const info = await this.lmtp.sendMail({ envelope: { from, to: [to] }, raw });
    if (info.rejected.length > 0) throw new Error(`LMTP refused ${to}: ${info.response}`);
  }

  close(): void {
    this.lmtp.close();
  }
}
