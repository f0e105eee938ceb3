import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { parse } from 'yaml';
import { z } from 'zod';
import { TenantContext } from '../db/tenant-context.js';
import { PasswordHasher } from '../identity/password-hasher.js';
import { OrganisationService } from '../access/organisation.service.js';
import { UserRepository } from '../identity/user.repository.js';
import { LocalMailboxes } from '../local-mail/local-mailboxes.js';
import { MailboxSeed, seedMailboxSchema } from '../mailboxes/mailbox-seed.js';
import { Tenant } from '../tenancy/tenant.entity.js';

const seedSchema = z.strictObject({
  password: z.string().min(1),
  mustChangePassword: z.boolean().default(false),
  tenants: z.record(
    z.string(),
    z.strictObject({
      offices: z.array(z.string().min(1)).default([]),
      users: z.array(
        z.strictObject({
          email: z.email(),
          name: z.string().min(1),
          grants: z.array(z.strictObject({ role: z.string(), office: z.string().nullable().default(null) })).min(1),
        }),
      ),
      mailboxes: z.array(seedMailboxSchema).default([]),
    }),
  ),
});

/** A user (by e-mail) or a PEC mailbox (by address) the seed created or found. */
export interface ProvisionedUser {
  tenant: string;
  email: string;
  created: boolean;
}

/**
 * Creates the offices and users a seed file lists (the demo's) and a local mailbox for each user,
 * so that mail to them (password resets) lands in Dovecot. Users that exist keep their password;
 * the roles the seed gives them are added if missing. Then the PEC mailboxes it lists (MailboxSeed).
 */
@Injectable()
export class UserProvisioner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly mailboxes: LocalMailboxes,
    private readonly organisation: OrganisationService,
    private readonly pecMailboxes: MailboxSeed,
  ) {}

  async seed(file: string): Promise<ProvisionedUser[]> {
    const seed = seedSchema.parse(parse(await readFile(file, 'utf8')));
    const passwordHash = await this.hasher.hash(seed.password);
    const results: ProvisionedUser[] = [];
    for (const [slug, { offices, users: people, mailboxes }] of Object.entries(seed.tenants)) {
      const tenant = await this.dataSource.getRepository(Tenant).findOneBy({ slug });
      if (!tenant) throw new Error(`seed: tenant "${slug}" does not exist (is tenants/${slug}.yaml there and synced?)`);
      await TenantContext.run({ tenantId: tenant.id, slug }, async () => {
        for (const office of offices) await this.organisation.ensureOfficePath(office);
        for (const person of people) {
          const email = person.email.toLowerCase();
          const existing = await this.users.findByEmail(email);
          const exists = existing !== null;
          const user =
            existing ??
            (await this.users.insert({ email, displayName: person.name, passwordHash, mustChangePassword: seed.mustChangePassword }));
          // The seed's roles are added to what a user already holds (an older demo database, an admin's changes), never taken away.
          const current = await this.organisation.grantsOf(user.id);
          const wanted = await this.organisation.resolve(person.grants);
          const missing = wanted.filter((g) => !current.some((c) => c.role === g.role && c.officeId === g.officeId));
          if (missing.length > 0) await this.organisation.replaceGrants(user.id, [...current, ...missing]);
          await this.mailboxes.ensure(email, seed.password);
          results.push({ tenant: slug, email, created: !exists });
        }
        for (const mailbox of mailboxes)
          results.push({ tenant: slug, email: mailbox.address, created: await this.pecMailboxes.ensure(mailbox, seed.password) });
      });
    }
    return results;
  }
}
