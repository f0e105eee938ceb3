import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../src/db/tenant-context.js';
import { ReceiptCorrelator, type Correlation, type ReceiptToApply } from '../../src/pec/correlation/receipt-correlator.js';
import { parsePec } from '../../src/pec/pec-parser.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { inbox } from './pec-provider.js';

/**
 * Stands in for the IMAP intake (another module): reads every message of the sender's Dovecot INBOX
 * and hands them to ReceiptCorrelator.applyAll as one batch in the tenant's scope, as the intake's
 * job does with what one FETCH brought; `copies` puts each message in the batch that many times.
 * Applying a receipt again is a no-op, so calling this repeatedly is fine.
 */
export async function correlateInbox(
  app: INestApplicationContext,
  tenantSlug: string,
  mailboxId: string,
  box: { address: string; password: string },
  copies = 1,
): Promise<Correlation[]> {
  const tenant = await app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug: tenantSlug });
  const batch: ReceiptToApply[] = [];
  for (const raw of await inbox(box.address, box.password)) {
    const parsed = await parsePec(raw);
    for (let copy = 0; copy < copies; copy += 1) batch.push({ parsed, raw, mailboxId });
  }
  return TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, () => app.get(ReceiptCorrelator).applyAll(batch));
}
