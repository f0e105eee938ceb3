import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../src/config/config.module.js';
import { InboundJobs } from '../../src/pec/intake/inbound-jobs.js';
import { IntakeStore } from '../../src/pec/intake/intake-store.js';
import { MailboxReader } from '../../src/pec/intake/mailbox-reader.js';
import { MailboxStatus } from '../../src/pec/intake/mailbox-status.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';

/**
 * The real IMAP intake (MailboxReader → IntakeStore → the pec-inbound job and its handlers) on the
 * given mailboxes only, in the test app's process. The worker's IntakeSupervisor would read every
 * mailbox of the shared test database, other test files' included; leases and the supervisor have
 * their own test (pec-intake.test.ts).
 */
export async function readMailboxes(
  app: INestApplicationContext,
  tenantSlug: string,
  boxes: { id: string; address: string; password: string }[],
): Promise<{ stop(): Promise<void> }> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const tenant = await app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug: tenantSlug });
  const readers = boxes.map(
    (box) =>
      new MailboxReader(
        {
          id: box.id,
          address: box.address,
          scope: { tenantId: tenant.id, slug: tenant.slug },
          imap: { host: '127.0.0.1', port: config.DOVECOT_IMAP_PORT, security: 'none' },
          username: box.address,
          password: box.password,
        },
        {
          store: app.get(IntakeStore),
          jobs: app.get(InboundJobs),
          status: app.get(MailboxStatus),
          reconcileMs: 1_000,
          batchSize: 25,
          backoffCapMs: 2_000,
        },
      ),
  );
  for (const reader of readers) reader.start();
  return { stop: async () => void (await Promise.all(readers.map((reader) => reader.stop()))) };
}
