import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BeatsLedger } from '../../beats/beats-ledger.js';
import type { Campaign } from '../campaign.entities.js';

/** What charging needs of a campaign. */
export type ChargedCampaign = Pick<Campaign, 'id' | 'beatsPerRecipient' | 'beatsReservationId' | 'createdBy'>;

/** The ledger's key of one recipient's charge: the same for every attempt, so a recipient is charged once. */
export const recipientChargeKey = (recipientId: string): string => `pec.send:campaign-recipient:${recipientId}`;

/**
 * A campaign's beats (decision 0022): launching reserved recipients × price; each recipient the provider
 * takes turns its share of the reservation into a debit; cancelling or finishing releases the rest.
 */
@Injectable()
export class CampaignCharges {
  private readonly logger = new Logger(CampaignCharges.name);

  constructor(private readonly ledger: BeatsLedger) {}

  /**
   * Charges these recipients (one statement). A recipient sent after the reservation was released (a
   * batch in flight when the campaign was cancelled) is still charged: the PEC went, so its beats are
   * owed, as overdraft if no credit covers them.
   */
  async charge(campaign: ChargedCampaign, recipientIds: readonly string[], manager?: EntityManager): Promise<void> {
    if (recipientIds.length === 0 || campaign.beatsPerRecipient === 0) return;
    const debits = recipientIds.map((id) => ({ key: recipientChargeKey(id), subjectId: id }));
    const purpose = { plug: 'pec.send', units: 1, userId: campaign.createdBy, campaignId: campaign.id, subjectType: 'campaign-recipient' };
    const outcomes = await this.ledger.debitEach(
      debits,
      campaign.beatsPerRecipient,
      purpose,
      { reservationId: campaign.beatsReservationId },
      manager,
    );
    const late = debits.filter((_, index) => outcomes[index] === 'not-reserved');
    if (late.length === 0) return;
    this.logger.warn(`campaign ${campaign.id}: ${late.length} recipients sent after its reservation closed, charged outside it`);
    await this.ledger.debitEach(late, campaign.beatsPerRecipient, purpose, { overdraft: true }, manager);
  }

  /** Gives back what the campaign's reservation still holds (cancelled, or every recipient attempted). */
  async releaseRest(campaign: Pick<Campaign, 'beatsReservationId'>, manager?: EntityManager): Promise<void> {
    if (campaign.beatsReservationId) await this.ledger.release(campaign.beatsReservationId, manager);
  }
}
