export const PROFILE_KEYS = ['standard', 'strutturata', 'massiva-s', 'massiva-m', 'massiva-l', 'massiva-xl'] as const;
export type ProfileKey = (typeof PROFILE_KEYS)[number];

/** What one mailbox may send: the sending pipeline throttles on these, the composer checks the last two. */
export interface SendingLimits {
  perMinute: number;
  perDay: number;
  maxMessageMb: number;
  maxRecipients: number;
}

/**
 * The mailbox profiles of the PEC tenders (standard, strutturata, massiva S–XL). The rates span the
 * issue's 50/min · 500/day up to 5,000/min · 600,000–1,200,000/day; research/campaign-anchors.md found
 * no public source for these tiers, so every rate here is a configurable default, overridden per
 * mailbox with what the provider contract says (Legalmail's ordinary box allows only 6/min).
 *
 * Verified figures used:
 * - message size: "total size × number of recipients" within the provider limit, "30 MB" by Italian
 *   law (pec-protocol.md §1, RFC 6109 §3.1.1 [S]);
 * - recipients: 500 per message in a public PEC tender listing (campaign-anchors.md provider facts);
 * - massiva: attachments ≤ 1 MB in Namirial's "PEC massiva" tender offer (same table), so the bulk
 *   profiles default to small messages.
 */
export const PROFILES: Record<ProfileKey, SendingLimits> = {
  standard: { perMinute: 50, perDay: 500, maxMessageMb: 30, maxRecipients: 500 },
  strutturata: { perMinute: 100, perDay: 5_000, maxMessageMb: 30, maxRecipients: 500 },
  'massiva-s': { perMinute: 500, perDay: 50_000, maxMessageMb: 1, maxRecipients: 500 },
  'massiva-m': { perMinute: 1_000, perDay: 150_000, maxMessageMb: 1, maxRecipients: 500 },
  'massiva-l': { perMinute: 2_500, perDay: 300_000, maxMessageMb: 1, maxRecipients: 500 },
  // 600,000/day is the tender's floor for the largest tier; contracts go up to 1,200,000.
  'massiva-xl': { perMinute: 5_000, perDay: 600_000, maxMessageMb: 1, maxRecipients: 500 },
};
