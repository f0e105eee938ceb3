/**
 * What a campaign report says (issue #7 item 8), whoever builds it: the summary and one row per
 * recipient. The rows are read again for each file (XLSX, PDF), so they come from a function that
 * streams them: a report of 100,000 recipients never sits in memory.
 */
export interface CampaignReportSummary {
  name: string;
  /** The PEC mailbox the campaign sent from. */
  mailbox: string;
  subject: string;
  status: string;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  closedAt: Date | null;
  total: number;
  /** Recipients per state (`queued`, `accepted`, `delivered`, `failed`…). */
  counts: Record<string, number>;
  generatedAt: Date;
}

export interface CampaignReportRow {
  rowNumber: number;
  address: string;
  state: string;
  /** Our Message-ID for this recipient, which every receipt refers to. */
  messageId: string;
  /** The provider's identificativo, from the accettazione. */
  providerId: string | null;
  errorCode: string | null;
  errorText: string | null;
  queuedAt: Date | null;
  attemptedAt: Date | null;
  sentAt: Date | null;
  acceptedAt: Date | null;
  deliveredAt: Date | null;
  warnedAt: Date | null;
  failedAt: Date | null;
}

export interface CampaignReport {
  summary: CampaignReportSummary;
  rows(): AsyncIterable<CampaignReportRow>;
}

/** The timestamps of a row, in the order a recipient goes through them (report columns). */
export const ROW_TIMES = ['queuedAt', 'attemptedAt', 'sentAt', 'acceptedAt', 'deliveredAt', 'warnedAt', 'failedAt'] as const;
