/**
 * The state machine of one recipient of a PEC we send (issue #5 item 6):
 * queued → sending → accepted | refused → delivered | failed | warned → failed-timeout,
 * plus `unknown` for an attempt whose outcome nobody reported (an operator decides), and
 * `external` for a recipient the accettazione typed `esterno` (ordinary mail: no receipt will come).
 *
 * Receipts can arrive out of order (a consegna read before its accettazione), so a state only moves
 * forward by rank and a terminal state never changes; the one step back is `sending → queued`, taken
 * when the provider said "later" and so certainly did not accept the message.
 */
export const RECIPIENT_STATUSES = [
  'queued',
  'sending',
  'unknown',
  'accepted',
  'warned',
  'refused',
  'delivered',
  'failed',
  'failed-timeout',
  'external',
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** A message's status: its recipients' common state, or `partial` when they ended differently; `received` for incoming mail. */
export type MessageStatus = RecipientStatus | 'partial' | 'received';

const RANK: Record<RecipientStatus, number> = {
  queued: 0,
  sending: 1,
  unknown: 2,
  accepted: 3,
  warned: 4,
  refused: 5,
  delivered: 5,
  failed: 5,
  'failed-timeout': 5,
  external: 5,
};

export function isFinal(status: RecipientStatus): boolean {
  return RANK[status] === 5;
}

/** Where a recipient in `current` goes when `target` is reported; `current` when the report is stale. */
export function advance(current: RecipientStatus, target: RecipientStatus): RecipientStatus {
  if (current === 'sending' && target === 'queued') return 'queued';
  return RANK[target] > RANK[current] ? target : current;
}

/** The message's status from its recipients'. */
export function messageStatusOf(statuses: readonly RecipientStatus[]): MessageStatus {
  const distinct = new Set(statuses.map((status) => (status === 'failed-timeout' ? 'failed' : status)));
  if (distinct.size === 1) return [...distinct][0]!;
  if (statuses.every(isFinal)) return 'partial';
  // Still moving: the least advanced recipient says how far the message is.
  return statuses.filter((status) => !isFinal(status)).reduce((low, status) => (RANK[status] < RANK[low] ? status : low));
}
