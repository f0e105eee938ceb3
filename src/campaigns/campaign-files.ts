import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { TenantContext } from '../db/tenant-context.js';
import { SecretBox } from '../secrets/secret-box.js';
import type { CampaignFileKind } from './campaign-states.js';
import { CampaignFileRepository } from './campaign.repository.js';

export interface NewCampaignFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface StoredFileRef {
  id: string;
  filename: string;
  size: number;
}

/** Files in a transaction are inserted a few at a time: a ZIP may hold thousands and each row carries its bytes. */
const INSERT_BATCH = 50;

/**
 * A campaign's files sealed at rest (AES-256-GCM, SecretBox): the uploaded recipients sheet (personal data),
 * the campaign-wide attachments and each recipient's own. The context binds a file to its workspace and id.
 */
@Injectable()
export class CampaignFiles {
  constructor(
    private readonly files: CampaignFileRepository,
    private readonly box: SecretBox,
  ) {}

  async store(
    manager: EntityManager,
    campaignId: string,
    kind: CampaignFileKind,
    files: readonly NewCampaignFile[],
  ): Promise<StoredFileRef[]> {
    const repository = this.files.within(manager);
    const refs: StoredFileRef[] = [];
    for (let start = 0; start < files.length; start += INSERT_BATCH) {
      const rows = files.slice(start, start + INSERT_BATCH).map((file) => {
        const id = randomUUID();
        return {
          id,
          campaignId,
          kind,
          filename: file.filename,
          contentType: file.contentType,
          size: file.content.length,
          sealed: this.box.sealBytes(file.content, sealContext(id)),
        };
      });
      await repository.insertMany(rows);
      refs.push(...rows.map(({ id, filename, size }) => ({ id, filename, size })));
    }
    return refs;
  }

  async list(campaignId: string, kind: CampaignFileKind): Promise<StoredFileRef[]> {
    const rows = await this.files.find({ campaignId, kind }, { order: { filename: 'ASC' } });
    return rows.map(({ id, filename, size }) => ({ id, filename, size }));
  }

  /** The plain content of one file of the campaign. */
  async content(campaignId: string, id: string): Promise<Buffer> {
    return (await this.opened(campaignId, id)).content;
  }

  /** One file with its name, opened: the sending pipeline attaches it from here. */
  async opened(campaignId: string, id: string): Promise<{ filename: string; content: Buffer }> {
    const row = await this.files
      .query('f')
      .addSelect('f.sealed')
      .andWhere('f.campaign_id = :campaignId AND f.id = :id', { campaignId, id })
      .getOneOrFail();
    return { filename: row.filename, content: this.box.openBytes(row.sealed, sealContext(row.id)) };
  }
}

function sealContext(id: string): string {
  return `campaign-file:${TenantContext.current().tenantId}:${id}`;
}
