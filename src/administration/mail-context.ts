import type { Request } from 'express';
import type { MailContext } from './user-administration.js';

/** Links in mails point at the host the admin is using: the workspace's own address. */
export function mailContext(req: Request): MailContext {
  const scheme = req.protocol === 'https' ? 'https' : 'http';
  return { tenantName: req.tenant!.name, baseUrl: `${scheme}://${req.headers.host ?? ''}`, locale: req.locale! };
}
