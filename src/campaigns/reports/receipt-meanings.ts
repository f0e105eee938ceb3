import type { Locale } from '../../i18n/locale.js';
import { isMessageKey, translate, type MessageKey } from '../../i18n/translate.js';

/** A recipient state as the reader knows it ("Consegnato"); an unknown one as written. */
export function stateLabel(locale: Locale, state: string): string {
  const key = `campaignReport.state.${state}`;
  return isMessageKey(key) ? translate(locale, key) : state;
}

/**
 * What each PEC receipt or notice proves (DPR 68/2005 art. 6, DM 2/11/2005, pec-protocol.md §2 and
 * §7), for the evidence report: the reader of a report is often not the sender, and must know which
 * outcome has legal weight and which is not final yet.
 */
export const RECEIPT_MEANINGS: readonly { receipt: MessageKey; meaning: MessageKey }[] = [
  { receipt: 'campaignReport.receipt.accettazione', meaning: 'campaignReport.meaning.accettazione' },
  { receipt: 'campaignReport.receipt.nonAccettazione', meaning: 'campaignReport.meaning.nonAccettazione' },
  { receipt: 'campaignReport.receipt.consegna', meaning: 'campaignReport.meaning.consegna' },
  { receipt: 'campaignReport.receipt.mancataConsegna', meaning: 'campaignReport.meaning.mancataConsegna' },
  { receipt: 'campaignReport.receipt.preavviso', meaning: 'campaignReport.meaning.preavviso' },
  { receipt: 'campaignReport.receipt.tempoMassimo', meaning: 'campaignReport.meaning.tempoMassimo' },
];
