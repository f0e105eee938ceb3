import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/**
 * One version of one BPMN process of a workspace. The file's XML is kept once per version (instances
 * will point here instead of carrying it in their saved state); a file with several executable
 * processes gives a row per process, each holding the whole file.
 */
@Entity({ name: 'process_definitions' })
export class ProcessDefinition extends TenantOwnedEntity {
  /** The BPMN process id: what instances and other models refer to. */
  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  /** 1, 2, 3… per workspace and key. */
  @Column({ type: 'integer' })
  version!: number;

  /** sha256 (hex) of the file's bytes: the same content deployed again is the same version. */
  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;

  @Column({ type: 'text' })
  bpmn!: string;

  /** The solution whose workflows/ folder it came from; null when deployed through the API. */
  @Column({ type: 'text', nullable: true })
  solution!: string | null;

  @Column({ name: 'deployed_by', type: 'uuid', nullable: true })
  deployedBy!: string | null;

  @Column({ name: 'deployed_at', type: 'timestamptz', default: () => 'now()' })
  deployedAt!: Date;
}
