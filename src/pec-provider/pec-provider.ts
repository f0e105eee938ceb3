import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AppConfig } from '../config/config.module.js';
import { listenOnLoopback, SmtpReply } from '../local-mail/loopback-smtp.js';
import { ProviderCertificates } from './certificates.js';
import type { CertifiedMessage } from './certified-message.js';
import { DeliveryQueue, type JobKind, type RecipientJob } from './delivery-queue.js';
import {
  acceptance,
  anomalyEnvelope,
  delivery,
  deliveryError,
  nonAcceptance,
  postacert,
  takeover,
  timeoutNotice,
  transportEnvelope,
  virusDetected,
  type Emitter,
} from './envelopes.js';
import { FaultPlan } from './faults.js';
import { LmtpDelivery } from './lmtp-delivery.js';
import { providerId } from './provider-ids.js';
import { domainOf, type ProviderMailboxes } from './provider-mailboxes.js';
import { RateLimiter } from './rate-limiter.js';
import { checkSubmission } from './submission-policy.js';
import { carriesTestVirus, readSubmission, type SubmittedMessage } from './submitted-message.js';
import { TransmissionLog } from './transmission-log.js';

const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The local PEC provider: punto di accesso, ricezione and consegna for the domains of
 * PEC_PROVIDER_DOMAINS, on one SMTP port of 127.0.0.1.
 * - An authenticated session is a submission (punto di accesso): checked, answered with
 *   accettazione or non-accettazione, wrapped in a signed busta per recipient and delivered later
 *   by the durable queue (DeliveryQueue), which also runs the 12 h / 24 h timers.
 * - Each local PEC domain is its own gestore: a busta crossing from one domain to another gets the
 *   recipient gestore's presa in carico (or, carrying a virus, its rilevazione virus), sent to the
 *   sender's gestore. Recipients on PEC_PROVIDER_ORDINARY_DOMAINS are `esterno`: the busta reaches
 *   their ordinary mailbox and no delivery receipt follows.
 * - An unauthenticated session is mail from outside (punto di ricezione): only to local PEC
 *   mailboxes, and since no other gestore exists here it is ordinary mail, so it arrives in a busta di anomalia.
 */
export class PecProvider {
  private readonly logger = new Logger(PecProvider.name);
  private readonly certificates: ProviderCertificates;
  private readonly lmtp: LmtpDelivery;
  private readonly queue: DeliveryQueue;
  private readonly rates: RateLimiter;
  private readonly faults: FaultPlan;
  private readonly log: TransmissionLog;
  private server: SMTPServer | undefined;

  constructor(
    private readonly mailboxes: ProviderMailboxes,
    redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.certificates = new ProviderCertificates(config.PEC_PROVIDER_DATA_DIR);
    this.lmtp = new LmtpDelivery(config.DOVECOT_LMTP_PORT);
    this.queue = new DeliveryQueue(redis, config);
    this.rates = new RateLimiter(redis, config.REDIS_PREFIX);
    this.faults = new FaultPlan(config.PEC_PROVIDER_FAULTS);
    this.log = new TransmissionLog(redis, config.REDIS_PREFIX);
  }

  /** The CA that signs every provider certificate (PEM), for whoever wants to check the chain. */
  async caCertificate(): Promise<string> {
    return (await this.certificates.ca()).certificatePem;
  }

  /** Starts the queue worker and the SMTP server on 127.0.0.1:port (0 = a free port); resolves with the port. */
  async listen(port: number = this.config.PEC_PROVIDER_SMTP_PORT): Promise<number> {
    if (this.server) throw new Error('PecProvider is already listening');
    // Keys first: a provider that cannot sign must not accept anything.
    await Promise.all(this.config.PEC_PROVIDER_DOMAINS.map((domain) => this.certificates.forDomain(domain)));
    await this.mailboxes.ensureCatchAll();
    if (!this.config.PEC_PROVIDER_CATCH_ALL_STORE) {
      this.logger.warn(
        'benchmark mode: catch-all recipients get their receipts, their busta is not stored (PEC_PROVIDER_CATCH_ALL_STORE=false)',
      );
    }
    this.queue.start((kind, job) => this.runJob(kind, job), this.logger);
    const server = new SMTPServer({
      name: hostname(),
      banner: 'pecflow PEC provider (test)',
      logger: false,
      // Loopback only, like the local Dovecot: plain-text AUTH without TLS is accepted.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: true,
      disableReverseLookup: true,
      size: this.config.PEC_PROVIDER_MAX_BYTES,
      closeTimeout: CLOSE_TIMEOUT_MS,
      onAuth: (auth, _session, callback) => {
        this.mailboxes.authenticate(auth.username ?? '', auth.password ?? '').then(
          (ok) =>
            ok ? callback(null, { user: auth.username!.toLowerCase() }) : callback(new SmtpReply(535, '5.7.8 Credenziali non valide')),
          (error: unknown) => callback(this.temporaryFailure('AUTH', error)),
        );
      },
      onMailFrom: (address, session, callback) => {
        const user = session.user as string | undefined;
        if (user !== undefined && address.address.toLowerCase() !== user) {
          return callback(new SmtpReply(553, `5.7.1 Il mittente <${address.address}> non è la casella autenticata <${user}>`));
        }
        const throttle = user === undefined ? undefined : this.faults.throttle(user);
        if (throttle) return callback(new SmtpReply(throttle.code, throttle.text));
        callback();
      },
      onRcptTo: (address, session, callback) => {
        this.checkRecipient(address, session).then(
          () => callback(),
          (error: unknown) => callback(error instanceof SmtpReply ? error : this.temporaryFailure('RCPT', error)),
        );
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          (reply) => callback(null, reply),
          (error: unknown) => callback(error instanceof SmtpReply ? error : this.temporaryFailure('DATA', error)),
        );
      },
    });
    const bound = await listenOnLoopback(server, port, this.logger);
    this.server = server;
    return bound;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(resolve));
    await this.queue.close();
    this.lmtp.close();
  }

  private async checkRecipient(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const recipient = address.address.toLowerCase();
    const refuse = this.faults.find(recipient, 'refuse');
    if (refuse) {
      const code = refuse.code ?? 451;
      throw new SmtpReply(code, `${code >= 500 ? '5' : '4'}.3.0 Servizio temporaneamente non disponibile (guasto simulato)`);
    }
    const user = session.user as string | undefined;
    if (user === undefined) {
      // Reception from outside: only our own PEC mailboxes, we relay for nobody.
      if (!this.mailboxes.serves(recipient)) throw new SmtpReply(554, `5.7.1 <${recipient}>: relay non consentito`);
      if (!(await this.mailboxes.exists(recipient))) throw new SmtpReply(550, `5.1.1 <${recipient}>: casella inesistente`);
      return;
    }
    const verdict = await this.rates.take(user, await this.mailboxes.limits(user));
    if (!verdict.ok) {
      // Per-minute: try again shortly (451 4.7.1); per-day: not today (550 5.7.1), as providers answer.
      throw verdict.window === 'minute'
        ? new SmtpReply(451, '4.7.1 Limite di invio per minuto superato, riprovare più tardi')
        : new SmtpReply(550, '5.7.1 Limite giornaliero di invio superato');
    }
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const rcptTo = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
    const cut = rcptTo.some((recipient) => this.faults.find(recipient, 'disconnect'));
    // Fault injection: the connection drops in the middle of DATA, as a provider crash looks to the client.
    if (cut) stream.once('data', () => socketOf(this.server, session)?.destroy());
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (cut) throw new SmtpReply(421, '4.4.2 Connessione interrotta (guasto simulato)');
    if (stream.sizeExceeded)
      throw new SmtpReply(552, `5.3.4 Messaggio oltre la dimensione massima (${this.config.PEC_PROVIDER_MAX_BYTES} byte)`);
    const submitted = readSubmission(Buffer.concat(chunks));
    const user = session.user as string | undefined;
    if (user === undefined) return this.wrapAnomaly(submitted, rcptTo);
    return this.submit(submitted, user, rcptTo);
  }

  /** Punto di accesso: checks, then non-accettazione, or accettazione + busta queued for every recipient. */
  private async submit(submitted: SubmittedMessage, sender: string, rcptTo: string[]): Promise<string> {
    const domain = domainOf(sender);
    const now = new Date();
    const pecId = providerId(domain, now);
    const recipients = [...new Set([...submitted.to, ...submitted.cc])];
    const scanForViruses = !this.faults.find(sender, 'miss-virus');
    const message: CertifiedMessage = {
      pecId,
      msgid: submitted.messageId ?? providerId(domain, now),
      sender,
      recipients,
      external: recipients.filter((recipient) => this.mailboxes.isOrdinary(recipient)),
      virus: !scanForViruses && carriesTestVirus(submitted.mime),
      replyTo: submitted.replyTo ?? submitted.from[0] ?? sender,
      subject: submitted.subject,
      subjectRaw: submitted.subjectRaw,
      receiptKind: submitted.receiptKind,
      acceptedAt: now.toISOString(),
    };
    const refusal = checkSubmission(submitted, { mailFrom: sender, rcptTo }, this.config.PEC_PROVIDER_MAX_BYTES, scanForViruses);
    if (refusal) {
      await this.toSender(message, await nonAcceptance(await this.emitter(domain), message, refusal));
      return `Messaggio non accettato (${refusal.reason}): vedere l'avviso di non accettazione`;
    }
    await this.log.record(message, now);
    const original = postacert(submitted, pecId, message.msgid);
    const busta = await transportEnvelope(await this.emitter(domain), message, original);
    const latency = this.config.PEC_PROVIDER_LATENCY_MS;
    await this.queue.accept(
      message,
      original,
      busta,
      rcptTo.map((recipient) => ({ recipient, delayMs: latency + (this.faults.find(recipient, 'delay')?.delayMs ?? 0) })),
    );
    await this.toSender(message, await acceptance(await this.emitter(domain), message));
    return `Ok: accettato come ${pecId}`;
  }

  /** Punto di ricezione for mail that did not come from a PEC provider: one busta di anomalia per local domain. */
  private async wrapAnomaly(submitted: SubmittedMessage, rcptTo: string[]): Promise<string> {
    const byDomain = new Map<string, string[]>();
    for (const recipient of rcptTo) byDomain.set(domainOf(recipient), [...(byDomain.get(domainOf(recipient)) ?? []), recipient]);
    for (const [domain, recipients] of byDomain) {
      const envelope = await anomalyEnvelope(await this.emitter(domain), submitted, recipients);
      for (const recipient of recipients) {
        const target = (await this.mailboxes.deliveryTarget(recipient)) ?? recipient;
        await this.lmtp.deliver(`posta-certificata@${domain}`, target, target === recipient ? envelope : addressedTo(recipient, envelope));
      }
    }
    return 'Ok: consegnato come anomalia';
  }

  /** The queued work for one recipient (see DeliveryQueue). */
  private async runJob(kind: JobKind, job: RecipientJob): Promise<void> {
    const stored = await this.queue.message(job.pecId);
    if (!stored) return; // expired: nothing left to do
    const { message, postacert: original, busta } = stored;
    if (kind !== 'deliver') return this.timeout(kind, job, message);
    if (this.faults.find(job.recipient, 'drop')) return; // lost in transit: the timers will speak
    if (message.external?.includes(job.recipient)) return this.deliverExternal(job, message, busta);
    const recipientDomain = domainOf(job.recipient);
    if (!this.mailboxes.serves(job.recipient)) {
      // No gestore for this domain: the sender's own punto di accesso reports it.
      return this.settleWith(job, 'no-dominio', async () =>
        this.toSender(message, await deliveryError(await this.emitter(domainOf(message.sender)), message, job.recipient, 'no-dominio')),
      );
    }
    // A fresh emitter per message: each carries its own Message-ID.
    const recipientGestore = () => this.emitter(recipientDomain);
    // Punto di ricezione of another gestore: it answers the sender's gestore before anything else.
    const crossing = recipientDomain !== domainOf(message.sender);
    if (message.virus) {
      if (crossing) {
        await this.queue.once(job, 'rilevazione-virus', async () =>
          this.toSendersGestore(message, async () => virusDetected(await recipientGestore(), message, job.recipient)),
        );
      }
      return this.settleWith(job, 'virus', async () =>
        this.toSender(message, await deliveryError(await recipientGestore(), message, job.recipient, 'virus')),
      );
    }
    if (crossing) {
      await this.queue.once(job, 'presa-in-carico', async () =>
        this.toSendersGestore(message, async () => takeover(await recipientGestore(), message, [job.recipient])),
      );
    }
    const target = await this.mailboxes.deliveryTarget(job.recipient);
    if (target === undefined) {
      return this.settleWith(job, 'no-dest', async () =>
        this.toSender(message, await deliveryError(await recipientGestore(), message, job.recipient, 'no-dest')),
      );
    }
    const own = target === job.recipient;
    if (own || this.config.PEC_PROVIDER_CATCH_ALL_STORE) {
      const stored = own ? busta : addressedTo(job.recipient, busta);
      await this.queue.once(job, 'busta', () => this.lmtp.deliver(`posta-certificata@${domainOf(message.sender)}`, target, stored));
    }
    await this.settleWith(job, 'delivered', async () =>
      this.toSender(message, await delivery(await recipientGestore(), message, job.recipient, original)),
    );
  }

  /**
   * An `esterno` recipient: the busta goes out as ordinary mail and no gestore answers for it, so
   * no receipt follows and no timer runs. A mailbox the ordinary world does not know bounces there,
   * not to the PEC sender.
   */
  private async deliverExternal(job: RecipientJob, message: CertifiedMessage, busta: Buffer): Promise<void> {
    if (await this.mailboxes.ordinaryExists(job.recipient)) {
      await this.queue.once(job, 'busta', () => this.lmtp.deliver(`posta-certificata@${domainOf(message.sender)}`, job.recipient, busta));
    }
    await this.settleWith(job, 'external', () => Promise.resolve());
  }

  /** Claims the outcome, sends its receipt once (also when a re-run finds it claimed), stops the timers. */
  private async settleWith(job: RecipientJob, outcome: string, send: () => Promise<void>): Promise<void> {
    if ((await this.queue.settle(job, outcome)) === outcome) await this.queue.once(job, `receipt-${outcome}`, send);
    await this.queue.cancelTimers(job);
  }

  /** 12 h: warn the sender; 24 h: the final 5.4.1 notice. Both from the sender's punto di accesso. */
  private async timeout(kind: 'preavviso' | 'final', job: RecipientJob, message: CertifiedMessage): Promise<void> {
    const emitter = await this.emitter(domainOf(message.sender));
    if (kind === 'preavviso') {
      if (await this.queue.settled(job)) return;
      await this.queue.once(job, 'preavviso', async () =>
        this.toSender(message, await timeoutNotice(emitter, message, job.recipient, 'preavviso')),
      );
      return;
    }
    if ((await this.queue.settle(job, 'timeout')) !== 'timeout') return;
    await this.queue.once(job, 'receipt-timeout', async () =>
      this.toSender(message, await timeoutNotice(emitter, message, job.recipient, 'final')),
    );
  }

  private async toSender(message: CertifiedMessage, raw: Buffer): Promise<void> {
    await this.lmtp.deliver(`posta-certificata@${domainOf(message.sender)}`, message.sender, raw);
  }

  /**
   * A notice between gestori (presa in carico, rilevazione virus). Our gestori share one process,
   * so the sender's gestore needs nothing from it; the sender sees it only with
   * PEC_PROVIDER_SHOW_PROVIDER_NOTICES, as with the gestori that show them.
   */
  private async toSendersGestore(message: CertifiedMessage, build: () => Promise<Buffer>): Promise<void> {
    if (this.config.PEC_PROVIDER_SHOW_PROVIDER_NOTICES) await this.toSender(message, await build());
  }

  private async emitter(domain: string): Promise<Emitter> {
    const now = new Date();
    return {
      domain,
      gestore: this.config.PEC_PROVIDER_NAME,
      signer: await this.certificates.forDomain(domain),
      messageId: providerId(domain, now),
      now,
    };
  }

  /** 451 4.3.0: the client keeps the message and retries, nothing is lost. */
  private temporaryFailure(stage: string, error: unknown): SmtpReply {
    this.logger.warn(`${stage} failed: ${error instanceof Error ? error.message : String(error)}`);
    return new SmtpReply(451, '4.3.0 Errore temporaneo del gestore, riprovare più tardi');
  }
}

/**
 * A copy for a shared catch-all mailbox names the recipient it is for, as a mail server's
 * `X-Original-To` does: the busta's To lists every recipient. A top-level header leaves the S/MIME
 * signature (over the signed part) intact.
 */
function addressedTo(recipient: string, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`X-Original-To: ${recipient}\r\n`), raw]);
}

/** smtp-server keeps its connections in a set; the one of this session holds the socket to cut. */
function socketOf(server: SMTPServer | undefined, session: SMTPServerSession): Socket | undefined {
  const connections = (server as unknown as { connections?: Set<{ id: string; _socket?: Socket }> } | undefined)?.connections;
  for (const connection of connections ?? []) if (connection.id === session.id) return connection._socket;
  return undefined;
}
