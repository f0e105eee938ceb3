import { parseArgs } from 'node:util';
import { InvalidPack, UnknownWorkspace, type PackOrder } from '../beats/beat-packs.js';
import type { AddPackOutcome } from '../beats/beats-ledger.js';
import { packOrderSchema } from '../beats/pack-order.js';

/**
 * `pecflow beats add-pack --tenant <slug> --beats <n> --expires <YYYY-MM-DD> [--purchased <day>]
 * [--contract <text>] [--key <idempotency key>]`: the platform operator adds a prepaid pack.
 * Answers the exit code (64: wrong usage).
 */
export async function addPackCommand(args: string[], add: (slug: string, order: PackOrder) => Promise<AddPackOutcome>): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        tenant: { type: 'string' },
        beats: { type: 'string' },
        expires: { type: 'string' },
        purchased: { type: 'string' },
        contract: { type: 'string' },
        key: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`beats add-pack: ${(error as Error).message}`);
    return 64;
  }
  const order = packOrderSchema.safeParse({
    beats: values.beats === undefined ? undefined : Number(values.beats),
    expires: values.expires,
    purchased: values.purchased,
    contract: values.contract,
    idempotencyKey: values.key,
  });
  if (!values.tenant || !order.success) {
    const problems = order.success
      ? ['--tenant: required']
      : order.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
    console.error(`beats add-pack: ${problems.join('; ')}`);
    return 64;
  }
  try {
    const { idempotencyKey, ...rest } = order.data;
    const added = await add(values.tenant, { ...rest, key: idempotencyKey && `cli:${idempotencyKey}` });
    const covered = added.coveredOverdraft > 0 ? ` (${added.coveredOverdraft} covered the overdraft)` : '';
    console.log(
      `${values.tenant}: ${added.outcome === 'added' ? 'added' : 'already added'} pack ${added.packId} of ${order.data.beats} beats${covered}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof UnknownWorkspace || error instanceof InvalidPack) {
      console.error(`beats add-pack: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
