import { Logger } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { TenantContext, type TenantScope } from '../../db/tenant-context.js';
import type { Endpoint } from '../../mailboxes/mailbox-presets.js';
import { imapOptions } from '../../mailboxes/mail-connections.js';
import { reasonOf } from '../../mailboxes/mailbox-probe.js';
import { backoffDelay } from './backoff.js';
import type { InboundJobs } from './inbound-jobs.js';
import type { IntakeStore } from './intake-store.js';
import type { MailboxStatus } from './mailbox-status.js';

/** A mailbox as the supervisor hands it to its reader: where to connect and as whom. */
export interface ReaderTarget {
  id: string;
  address: string;
  scope: TenantScope;
  imap: Endpoint;
  username: string;
  password: string;
}

export interface ReaderDeps {
  store: IntakeStore;
  jobs: InboundJobs;
  status: MailboxStatus;
  reconcileMs: number;
  batchSize: number;
  backoffCapMs: number;
}

const TIMEOUT_MS = 30_000;
/**
 * How soon after a reconcile the session goes back to IDLE. imapflow's default (15 s) left every
 * message arriving in that window (an avvenuta consegna a second after its accettazione) to wait
 * until IDLE resumed; a reconcile's own commands follow each other within milliseconds.
 */
const AUTO_IDLE_DELAY_MS = 500;

/**
 * One IMAP session on one mailbox's INBOX, kept up until stop(): opened read-only (EXAMINE), so the
 * intake never deletes, moves or flags anything in what is a legal archive. New mail is noticed by
 * IDLE (imapflow idles between commands and reports EXISTS) and, in case IDLE missed it, by a
 * reconcile every reconcileMs; both run the same reconcile, one at a time. A failed session is
 * retried with exponential back-off forever, the mailbox's state saying why.
 */
export class MailboxReader {
  private readonly logger = new Logger(MailboxReader.name);
  private stopped = false;
  private client?: ImapFlow;
  private wake?: () => void;
  private done: Promise<void> = Promise.resolve();

  constructor(
    readonly target: ReaderTarget,
    private readonly deps: ReaderDeps,
  ) {}

  start(): void {
    this.done = TenantContext.run(this.target.scope, () => this.run());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.client?.close();
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.session(() => {
          failures = 0;
        });
      } catch (error) {
        if (this.stopped) break;
        failures += 1;
        const reason = reasonOf(error);
        this.logger.warn(`${this.target.address}: IMAP session failed (${reason}): ${String((error as Error).message ?? error)}`);
        await this.deps.status.failing(this.target.id, reason).catch(() => undefined);
      }
      if (this.stopped) break;
      await this.sleep(backoffDelay(Math.max(failures, 1), this.deps.backoffCapMs));
    }
  }

  private async session(onConnected: () => void): Promise<void> {
    const client = new ImapFlow({
      ...imapOptions(this.target.imap, this.target),
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      autoIdleDelay: AUTO_IDLE_DELAY_MS,
    });
    this.client = client;
    let failure: Error | undefined;
    client.on('error', (error: Error) => {
      failure ??= error;
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    try {
      await client.connect();
      await client.mailboxOpen('INBOX', { readOnly: true });
      onConnected();
      await this.deps.status.connected(this.target.id);
      // Rows committed before a crash or a failed enqueue (this worker's or the previous holder's) get their jobs.
      await this.deps.jobs.rederive(this.target.id);
    } catch (error) {
      client.close();
      throw error;
    }
    this.logger.log(`${this.target.address}: reading INBOX`);

    // Reconciles run one at a time; a request while one runs makes it run once more after.
    let again = false;
    let loop: Promise<void> | undefined;
    const kick = (): void => {
      again = true;
      loop ??= (async () => {
        try {
          while (again && !this.stopped) {
            again = false;
            await this.reconcile(client);
          }
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
          client.close();
        } finally {
          loop = undefined;
        }
      })();
    };
    client.on('exists', kick);
    const timer = setInterval(kick, this.deps.reconcileMs);
    kick();
    await closed;
    clearInterval(timer);
    await loop;
    if (!this.stopped) throw failure ?? Object.assign(new Error('IMAP connection closed by the server'), { code: 'ECONNRESET' });
  }

  /** Everything above the checkpoint, in UID order, a batch per transaction. */
  private async reconcile(client: ImapFlow): Promise<void> {
    const uidvalidity = Number(client.mailbox ? client.mailbox.uidValidity : 0);
    const checkpoint = await this.deps.store.checkpoint(this.target);
    // A new UIDVALIDITY means the old UIDs mean nothing: read the folder again from the start.
    const from = checkpoint?.uidvalidity === uidvalidity ? checkpoint.lastUid + 1 : 1;
    const found = (await client.search({ uid: `${from}:*` }, { uid: true })) || [];
    // `n:*` also matches the highest UID when it is below n (RFC 3501), hence the filter.
    const uids = found.filter((uid) => uid >= from).sort((a, b) => a - b);
    if (uids.length === 0 && checkpoint?.uidvalidity !== uidvalidity) await this.deps.store.record(this.target, uidvalidity, [], 0);
    for (let start = 0; start < uids.length && !this.stopped; start += this.deps.batchSize) {
      const batch = uids.slice(start, start + this.deps.batchSize);
      const fetched = await client.fetchAll(batch.join(','), { uid: true, source: true, internalDate: true }, { uid: true });
      const messages = fetched
        .filter((message) => message.source)
        .map((message) => ({
          uid: message.uid,
          source: message.source!,
          internalDate: message.internalDate instanceof Date ? message.internalDate : undefined,
        }));
      const { created, afterCommit } = await this.deps.store.record(this.target, uidvalidity, messages, batch.at(-1)!);
      const { tenantId, slug } = this.target.scope;
      await this.deps.jobs.enqueue({ tenantId, slug, ids: created.map(({ id }) => id) });
      await afterCommit();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
