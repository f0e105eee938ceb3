import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/config.module.js';
import { LocalMailboxes } from '../local-mail/local-mailboxes.js';
import { connectRedis } from '../queue/redis.module.js';
import { readTenantFiles } from '../tenancy/tenant-file.js';
import { PecProvider } from '../pec-provider/pec-provider.js';
import { ProviderMailboxes } from '../pec-provider/provider-mailboxes.js';
import { PROFILES } from '../pec-provider/rate-limiter.js';

/** `pecflow pec-provider …`; resolves with the exit code. */
export async function runPecProviderCommand(config: AppConfig, args: string[]): Promise<number> {
  const redis = connectRedis(config);
  try {
    const mailboxes = new ProviderMailboxes(new LocalMailboxes(config), redis, config);
    if (args[0] === 'mailbox' && args[1] === 'add' && args[2]) return await addMailbox(mailboxes, args[2], args.slice(3));
    if (args.length > 0) return 64;
    const tenants = await readTenantFiles(config.TENANTS_DIR);
    const added = await mailboxes.addFromTenants(tenants.flatMap((tenant) => (tenant.pec ? [tenant.pec] : [])));
    const provider = new PecProvider(mailboxes, redis, config);
    const port = await provider.listen(config.PEC_PROVIDER_SMTP_PORT);
    console.log(
      `PEC provider listening on 127.0.0.1:${port} for ${config.PEC_PROVIDER_DOMAINS.join(', ')} (${added.length} mailboxes from tenant files)`,
    );
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    });
    await provider.close();
    return 0;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

async function addMailbox(mailboxes: ProviderMailboxes, address: string, options: string[]): Promise<number> {
  const option = (name: string) => {
    const at = options.indexOf(`--${name}`);
    return at >= 0 ? options[at + 1] : undefined;
  };
  const profile = option('profile') ?? 'standard';
  const limits = PROFILES[profile];
  if (!limits) {
    console.error(`pec-provider mailbox add: unknown profile "${profile}" (${Object.keys(PROFILES).join(', ')})`);
    return 64;
  }
  const given = option('password');
  const password = given ?? randomBytes(12).toString('base64url');
  await mailboxes.add(address, password, limits);
  console.log(
    given ? `${address.toLowerCase()}: ready (${profile})` : `${address.toLowerCase()}: ready (${profile}), password ${password}`,
  );
  return 0;
}
