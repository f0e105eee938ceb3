import { z } from 'zod';
import { PROFILES } from './rate-limiter.js';

/** The `pec:` section of tenants/<slug>.yaml: the local PEC mailboxes the demo and tests need. */
export const tenantPecSectionSchema = z.strictObject({
  mailboxes: z
    .array(
      z.strictObject({
        address: z.email(),
        /** Demo and test boxes only: the password is the IMAP/SMTP login of a loopback Dovecot. */
        password: z.string().min(1),
        profile: z.enum(Object.keys(PROFILES) as [string, ...string[]]).default('standard'),
      }),
    )
    .default([]),
});

export type TenantPecSection = z.infer<typeof tenantPecSectionSchema>;
