import type { SecretBox } from '../secrets/secret-box.js';

// A row's cells are personal data (names, tax codes, amounts owed): sealed like message bodies (design.md §3
// Security). The context ties the sealed value to its campaign and row, so it cannot be copied onto another.
const context = (campaignId: string, rowNumber: number): string => `campaign-recipient:${campaignId}:${rowNumber}`;

export function sealVariables(box: SecretBox, campaignId: string, rowNumber: number, variables: Record<string, string>): string {
  return box.seal(JSON.stringify(variables), context(campaignId, rowNumber));
}

export function openVariables(box: SecretBox, campaignId: string, rowNumber: number, sealed: string): Record<string, string> {
  return JSON.parse(box.open(sealed, context(campaignId, rowNumber))) as Record<string, string>;
}
