import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** A note someone left on a task: what was asked, what is awaited. Never edited, like the activity log. */
@Entity({ name: 'task_annotations' })
export class TaskAnnotation extends TenantOwnedEntity {
  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A file attached to a task; only its metadata is readable in the database, the content is sealed. */
@Entity({ name: 'task_attachments' })
export class TaskAttachment extends TenantOwnedEntity {
  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'text' })
  filename!: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  /** Of the plaintext: lets a download be checked and a duplicate be recognised without opening it. */
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'bytea', select: false })
  sealed!: Buffer;

  @Column({ name: 'uploaded_by', type: 'uuid' })
  uploadedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** One firing of a boundary timer on a task still waiting to be taken in charge, and whom it notified. */
@Entity({ name: 'task_escalations' })
export class TaskEscalation extends TenantOwnedEntity {
  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ name: 'timer_id', type: 'uuid' })
  timerId!: string;

  /** The boundary timer event in the BPMN. */
  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ type: 'uuid', array: true })
  notified!: string[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
