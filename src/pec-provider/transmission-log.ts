import type { Redis } from 'ioredis';
import type { CertifiedMessage } from './certified-message.js';

/** One submission the punto di accesso took (its 250), as the provider's log keeps it. */
export interface LogEntry {
  /** When the provider took it (epoch ms). */
  at: number;
  pecId: string;
  msgid: string;
  recipients: string[];
}

const KEEP_SECONDS = 3 * 24 * 3600;

/**
 * The provider's log of submissions per sender mailbox (real gestori must keep one, 30 months:
 * research/campaign-anchors.md). Here it is what tests and demos read to see how a mailbox really
 * sent: how many messages, at which instants, none twice.
 */
export class TransmissionLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async record(message: CertifiedMessage, at: Date): Promise<void> {
    const entry: LogEntry = { at: at.getTime(), pecId: message.pecId, msgid: message.msgid, recipients: message.recipients };
    await this.redis.multi().rpush(this.key(message.sender), JSON.stringify(entry)).expire(this.key(message.sender), KEEP_SECONDS).exec();
  }

  async entries(sender: string): Promise<LogEntry[]> {
    return (await this.redis.lrange(this.key(sender), 0, -1)).map((line) => JSON.parse(line) as LogEntry);
  }

  private key(sender: string): string {
    return `${this.prefix}:pec-provider:log:${sender.toLowerCase()}`;
  }
}
