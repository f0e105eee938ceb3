/**
 * The Message-ID of one recipient's PEC, fixed at import: the provider's receipts cite it
 * (`X-Riferimento-Message-ID`), so after a crash the pipeline can tell whether an attempt reached the
 * provider before sending again (decision 0024). The mailbox's domain keeps it unique across senders; written
 * without angle brackets, like the ids of single PEC (src/pec/pec-messages.ts).
 */
export function campaignMessageId(campaignId: string, rowNumber: number, mailboxAddress: string): string {
  const domain = mailboxAddress.slice(mailboxAddress.lastIndexOf('@') + 1);
  return `campaign.${campaignId}.${rowNumber}@${domain}`;
}
