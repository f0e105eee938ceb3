import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { OrganisationService } from '../access/organisation.service.js';
import { LocalMailboxes } from '../local-mail/local-mailboxes.js';
import { MailboxAdministration } from './mailbox-administration.js';
import { newMailboxSchema } from './mailbox-input.js';

/**
 * A seed file's `mailboxes:` entry: the API's create body, with offices by path (as the seed's
 * users have them) instead of ids, and the password optional (the seed's own when absent).
 */
export const seedMailboxSchema = newMailboxSchema
  .omit({ officeIds: true, password: true })
  .extend({ password: z.string().min(1).optional(), offices: z.array(z.string().min(1)).default([]) })
  .strict();
export type SeedMailbox = z.infer<typeof seedMailboxSchema>;

/** Creates the seed's mailboxes that are missing, in the current tenant; a `local` one also gets its Dovecot user. */
@Injectable()
export class MailboxSeed {
  constructor(
    private readonly mailboxes: MailboxAdministration,
    private readonly organisation: OrganisationService,
    private readonly local: LocalMailboxes,
  ) {}

  async ensure(entry: SeedMailbox, seedPassword: string): Promise<boolean> {
    const { offices, password = seedPassword, ...rest } = entry;
    const username = rest.username ?? rest.address.toLowerCase();
    // The local provider's mailboxes live in our Dovecot: the seed makes the IMAP login it stores work.
    if (rest.preset === 'local') await this.local.ensure(username, password);
    if (await this.mailboxes.exists(rest.address)) return false;
    const officeIds = [];
    for (const path of offices) officeIds.push(await this.organisation.ensureOfficePath(path));
    await this.mailboxes.create('system', { ...rest, password, officeIds }, 'it');
    return true;
  }
}
