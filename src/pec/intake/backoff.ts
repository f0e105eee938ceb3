/**
 * The wait before reconnect attempt `failures` (1, 2, …): 1 s doubling up to `capMs`, with full
 * jitter in its upper half so that mailboxes of one failed provider do not reconnect in step.
 */
export function backoffDelay(failures: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, 1_000 * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
