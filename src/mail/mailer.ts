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

  async send(mail: OutgoingMail): Promise<void> {
    // Mails can hold one-time links: drop them from Redis once sent.
    await this.queues.get(QUEUE_NAMES.mail).add(SEND_JOB, mail, { attempts: 10, removeOnComplete: true, removeOnFail: 100 });
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
