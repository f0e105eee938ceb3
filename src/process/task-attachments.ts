import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { UserRepository } from '../identity/user.repository.js';
import { SecretBox } from '../secrets/secret-box.js';
import { TaskAttachmentRepository } from './runtime-repositories.js';
import { TaskInbox } from './task-inbox.js';
import { assertOpenForWork } from './task-work.js';

export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: { id: string; name: string | null };
  at: Date;
}

export interface UploadedFile {
  originalname: string;
  mimetype: string;
  buffer: Buffer;
}

/** A MIME type as RFC 6838 writes it; anything else is stored as an opaque octet stream. */
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

/**
 * Files attached to a task (the PEC to answer, a signed reply). The content is sealed with SecretBox
 * (AES-256-GCM) before it reaches PostgreSQL, authenticated with the workspace and attachment ids,
 * so a database dump or backup shows names and sizes but no content. The size limit is multer's
 * (TASK_ATTACHMENT_MAX_BYTES), so an oversized upload is refused before anything is read into a row.
 */
@Injectable()
export class TaskAttachments {
  constructor(
    private readonly inbox: TaskInbox,
    private readonly attachments: TaskAttachmentRepository,
    private readonly users: UserRepository,
    private readonly box: SecretBox,
    private readonly activity: ActivityLog,
  ) {}

  async attach(principal: Principal, taskId: string, file: UploadedFile): Promise<AttachmentView> {
    const task = await this.inbox.find(principal, taskId);
    assertOpenForWork(task);
    const id = randomUUID();
    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    const row = {
      id,
      taskId,
      filename: safeFilename(file.originalname),
      contentType: MIME.test(file.mimetype) ? file.mimetype.toLowerCase() : 'application/octet-stream',
      sizeBytes: file.buffer.length,
      sha256,
      sealed: this.box.sealBytes(file.buffer, sealContext(id)),
      uploadedBy: principal.userId,
    };
    await this.inbox.changed(
      task,
      principal.userId,
      'task-attached',
      async (_tasks, manager) => {
        await this.attachments.within(manager).insert(row);
        return 1;
      },
      { attachmentId: id, filename: row.filename },
    );
    await this.activity.record({
      action: 'task.attached',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'task', id: taskId },
      details: { attachmentId: id, filename: safeFilename(file.originalname), size: file.buffer.length, sha256 },
    });
    return (await this.list(principal, taskId)).find((a) => a.id === id)!;
  }

  async list(principal: Principal, taskId: string): Promise<AttachmentView[]> {
    await this.inbox.row(principal, taskId);
    const rows = await this.attachments.find({ taskId }, { order: { createdAt: 'ASC', id: 'ASC' } });
    const uploaders = rows.length ? await this.users.find({ id: In([...new Set(rows.map((row) => row.uploadedBy))]) }) : [];
    const names = new Map(uploaders.map((user) => [user.id, user.displayName]));
    return rows.map((row) => ({
      id: row.id,
      filename: row.filename,
      contentType: row.contentType,
      size: row.sizeBytes,
      sha256: row.sha256,
      uploadedBy: { id: row.uploadedBy, name: names.get(row.uploadedBy) ?? null },
      at: row.createdAt,
    }));
  }

  /** The opened content of one attachment of a task the principal sees; 404 for anything else. */
  async open(
    principal: Principal,
    taskId: string,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; content: Buffer }> {
    await this.inbox.row(principal, taskId);
    if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) throw new ProblemException(404, 'not-found');
    const row = await this.attachments
      .query('a')
      .addSelect('a.sealed')
      .andWhere('a.id = :attachmentId AND a.task_id = :taskId', { attachmentId, taskId })
      .getOne();
    if (!row) throw new ProblemException(404, 'not-found');
    return { filename: row.filename, contentType: row.contentType, content: this.box.openBytes(row.sealed, sealContext(row.id)) };
  }
}

function sealContext(id: string): string {
  return `task-attachment:${TenantContext.current().tenantId}:${id}`;
}

/** The last path segment, without control characters, at most 200 characters: a name to show and to offer on download. */
function safeFilename(name: string): string {
  const base = [...(name.split(/[/\\]/).pop() ?? '')]
    .filter((char) => char.charCodeAt(0) >= 0x20 && char.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
  return (base || 'allegato').slice(0, 200);
}
