import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { In } from 'typeorm';
import { z } from 'zod';
import { ActorDirectory, ActorSyntaxError, parseActors, type Actor } from '../access/actors.js';
import { UserRepository } from '../identity/user.repository.js';
import { Mailer } from '../mail/mailer.js';
import { PlugBusinessError, PlugRejected, RegisterPlug, type Plug, type PlugContext, type PlugOutput } from './plug.js';
import { PlugEffects } from './plug-effects.js';

const input = z.object({
  /** Actors as in camunda:candidateGroups (`role:operator, user:anna@ente.it, group:Gare`), as text or a list. */
  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  subject: z.string().min(1).max(500),
  text: z.string().min(1).max(100_000),
});
type NotifyInput = z.infer<typeof input>;

/**
 * `notify`: an ordinary e-mail to the users the actors stand for, through the queued Mailer.
 * Once per idempotency key (PlugEffects), and each mail is queued under a job id derived from the
 * key and the recipient, so even a crash between queueing and recording sends nothing twice.
 */
@RegisterPlug()
@Injectable()
export class NotifyPlug implements Plug<NotifyInput> {
  readonly name = 'notify';
  readonly version = '1';
  readonly input = input;

  constructor(
    private readonly actors: ActorDirectory,
    private readonly users: UserRepository,
    private readonly mailer: Mailer,
    private readonly effects: PlugEffects,
  ) {}

  handle(mail: NotifyInput, context: PlugContext): Promise<PlugOutput> {
    const actors = this.parse(mail.to);
    return this.effects.once(this.name, context.idempotencyKey, async (manager) => {
      const users = this.users.within(manager);
      const ids = await this.actors.usersOf(actors, async (email) => (await users.findOne({ email }))?.id ?? null, manager);
      const recipients = ids.length > 0 ? (await users.find({ id: In(ids) })).filter((user) => !user.blocked) : [];
      // A business outcome a model may route (an error boundary on `no-recipients`); uncaught, an
      // incident someone retries once the people are there.
      if (recipients.length === 0) throw new PlugBusinessError('no-recipients', `nobody to notify among "${[mail.to].flat().join(', ')}"`);
      for (const user of recipients) {
        const id = createHash('sha256').update(`${context.tenantId}\n${context.idempotencyKey}\n${user.email}`).digest('hex');
        await this.mailer.send({ to: user.email, subject: mail.subject, text: mail.text }, { id: `notify-${id}` });
      }
      return { notified: recipients.length };
    });
  }

  private parse(to: string | string[]): Actor[] {
    try {
      return [to].flat().flatMap(parseActors);
    } catch (error) {
      if (error instanceof ActorSyntaxError) throw new PlugRejected(`notify: ${error.message}`);
      throw error;
    }
  }
}
