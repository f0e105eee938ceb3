import type { SendingLimits } from '../mailboxes/mailbox-profiles.js';

export interface CampaignEstimate {
  /** Recipients that will be sent (invalid rows are not). */
  recipients: number;
  beatsNeeded: number;
  perMinute: number;
  perDay: number;
  /** Sending time at the mailbox's pace, the daily quota included; receipts take longer (up to 24 h). */
  estimatedSeconds: number;
}

const DAY_SECONDS = 86_400;

/** What a campaign will cost and how long its mailbox needs to send it, shown before it starts. */
export function estimateCampaign(
  recipients: number,
  beatsPerRecipient: number,
  limits: Pick<SendingLimits, 'perMinute' | 'perDay'>,
): CampaignEstimate {
  const { perMinute, perDay } = limits;
  // Whole days at the daily quota, then the rest at the per-minute pace (a day's quota never takes more than a day
  // when perDay ≤ perMinute × 1440, which every profile satisfies).
  const fullDays = recipients > 0 ? Math.floor((recipients - 1) / perDay) : 0;
  const rest = recipients - fullDays * perDay;
  const estimatedSeconds = fullDays * DAY_SECONDS + Math.ceil((rest / perMinute) * 60);
  return { recipients, beatsNeeded: recipients * beatsPerRecipient, perMinute, perDay, estimatedSeconds };
}
