import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '../../access/principal.js';
import { boundedRuns } from '../../pec/export/bounded-runs.js';
import { ReceiptSources } from '../../pec/export/receipt-sources.js';
import { writeZip, type ZipStreamEntry } from '../../pec/export/zip-stream.js';
import { CampaignRecipientRepository } from '../campaign.repository.js';
import { RECIPIENT_STATES } from '../campaign-states.js';
import { CampaignViews } from '../campaign-views.js';
import { recipientBatches } from './recipient-batches.js';

/** Recipients whose receipts are asked for in one statement (pec_receipts_reference index, `= ANY`). */
const BATCH = 200;

/**
 * Receipt sources read and held at once, in one statement: up to 50, or fewer once their sealed sizes
 * reach 8 MiB (while they are read and unsealed a download holds two to three times that). A receipt is
 * a few KiB, but a complete avvenuta consegna carries the whole message, attachments included; one
 * larger than 8 MiB is read alone.
 */
const SOURCES_AT_ONCE = 50;
const SOURCE_BYTES_AT_ONCE = 8 * 1024 * 1024;

/**
 * `GET /api/v1/campaigns/:id/receipts.zip` (issue #7 item 8): the `.eml` of every receipt the provider sent
 * about the campaign's recipients — accettazione, consegna, errors, preavvisi — as received, one folder per
 * recipient (`<row>_<address>/`). A receipt belongs to a recipient by the Message-ID it cites, which is the
 * recipient's deterministic one (decision 0024): this holds before the pipeline links receipts to rows and
 * for receipts the correlator could not match. Streamed: recipients in batches, their receipts' sources read
 * and unsealed a bounded run at a time.
 */
@Injectable()
export class CampaignReceiptsZip {
  private readonly logger = new Logger(CampaignReceiptsZip.name);

  constructor(
    private readonly views: CampaignViews,
    private readonly recipients: CampaignRecipientRepository,
    private readonly receipts: ReceiptSources,
  ) {}

  async send(principal: Principal, id: string, res: Response): Promise<void> {
    // Before any header: a campaign the caller may not see is a 404 problem, not a broken download.
    const campaign = await this.views.find(principal, id, 'see');
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="receipts-${campaign.id}.zip"`);
    let count = 0;
    try {
      await writeZip(res, this.entries(campaign.id, campaign.mailboxId), () => (count += 1));
    } catch (error) {
      // Headers are gone: all that can be said to the client is that the download broke.
      this.logger.warn(`campaign ${campaign.id} receipts ZIP stopped after ${count} files: ${(error as Error).message}`);
      res.destroy();
    }
  }

  private async *entries(campaignId: string, mailboxId: string): AsyncGenerator<ZipStreamEntry> {
    const columns = ['id', 'rowNumber', 'address', 'messageId'];
    // Every recipient that may have been sent: all but the invalid rows.
    const states = RECIPIENT_STATES.filter((state) => state !== 'invalid');
    for await (const rows of recipientBatches(this.recipients, campaignId, states, BATCH, columns)) {
      const byMessageId = new Map(rows.map((row) => [row.messageId, row]));
      const cited = await this.receipts.citing(mailboxId, [...byMessageId.keys()]);
      for (const chunk of boundedRuns(cited, { count: SOURCES_AT_ONCE, bytes: SOURCE_BYTES_AT_ONCE }, (receipt) => receipt.bytes)) {
        const sources = await this.receipts.sources(chunk.map((receipt) => receipt.id));
        for (const receipt of chunk) {
          const row = byMessageId.get(receipt.referencesMessageId)!;
          const stamp = receipt.receivedAt.toISOString().replace(/[:.]/g, '-');
          const source = sources.get(receipt.id);
          // Deleted since it was listed: the archive holds what is there.
          if (!source) continue;
          yield {
            name: `${row.rowNumber}_${safe(row.address)}/${stamp}_${receipt.kind}_${receipt.id.slice(0, 8)}.eml`,
            date: receipt.receivedAt,
            content: () => Promise.resolve(source),
          };
        }
      }
    }
  }
}

/** An address as a folder name: no path separators or characters file managers refuse. */
function safe(address: string): string {
  return address.replace(/[^\w.@+-]/g, '_');
}
