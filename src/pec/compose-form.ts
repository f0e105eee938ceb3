import type { OutgoingAttachment } from './pec-messages.js';

/**
 * Multer's cap on one uploaded file, so a request cannot fill the memory; the real limit is the
 * mailbox profile's (size × recipients, checked on the composed message before anything is sent).
 */
export const PEC_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
export const PEC_UPLOAD_MAX_FILES = 50;
export const uploadOptions = { limits: { fileSize: PEC_UPLOAD_MAX_BYTES, files: PEC_UPLOAD_MAX_FILES }, defParamCharset: 'utf8' };

/**
 * A message's fields as a form sends them (the compose page, or a multipart API call): addresses in
 * one field separated by commas or spaces (or the field repeated), every value a string. The result
 * goes through newPecMessageSchema like a JSON body.
 */
export function formMessage(body: Record<string, unknown>): Record<string, unknown> {
  const text = (name: string) => (typeof body[name] === 'string' && body[name] !== '' ? body[name] : undefined);
  return {
    mailboxId: text('mailboxId'),
    to: addresses(body.to),
    cc: addresses(body.cc),
    subject: text('subject'),
    text: text('text'),
    html: text('html'),
    receiptType: text('receiptType'),
    replyTo: text('replyTo'),
    forwardOf: text('forwardOf'),
  };
}

export function uploaded(files: Express.Multer.File[] | undefined): OutgoingAttachment[] {
  return (files ?? []).map((file) => ({ filename: file.originalname, contentType: file.mimetype, content: file.buffer }));
}

function addresses(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(/[\s,;]+/))
    .map((part) => part.trim())
    .filter(Boolean);
}
