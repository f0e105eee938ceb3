import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import nodemailer, { type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { HandlesJob } from '../queue/job-handler.js';
import { JobQueues } from '../queue/job-queues.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

const SEND_JOB = 'send';
/** How long a mail queued with an id stays known to the queue after sending. */
const KEEP_SENT_SECONDS = 7 * 24 * 3600;

/**
 * Ordinary (non-PEC) e-mail from the platform: password resets, alerts. The request only queues
 * the mail; the worker sends it through SMTP_URL and retries while the server is away, so a
 * passing SMTP outage neither loses the mail nor shows the user an error.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(
    private readonly queues: JobQueues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.transport = nodemailer.createTransport(config.SMTP_URL);
  }

  /**
   * `id`: queue the mail under this job id, so queueing it again (a caller repeating a step after a
   * crash) adds nothing while the job is kept, a week after sending. Only for mails with no secrets.
   */
  async send(mail: OutgoingMail, options: { id?: string } = {}): Promise<void> {
    const queue = this.queues.get(QUEUE_NAMES.mail);
    if (options.id !== undefined) {
      // BullMQ refuses `:` in a custom job id (its key separator); callers compose ids with it.
      const jobId = options.id.replaceAll(':', '_');
      await queue.add(SEND_JOB, mail, { jobId, attempts: 10, removeOnComplete: { age: KEEP_SENT_SECONDS }, removeOnFail: 100 });
      return;
    }
    // Mails can hold one-time links: drop them from Redis once sent.
    await queue.add(SEND_JOB, mail, { attempts: 10, removeOnComplete: true, removeOnFail: 100 });
  }

  @HandlesJob(QUEUE_NAMES.mail, SEND_JOB)
  async deliver(job: Job<OutgoingMail>): Promise<void> {
    const { to, subject, text } = job.data;
    await this.transport.sendMail({ from: this.config.MAIL_FROM, to, subject, text });
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
