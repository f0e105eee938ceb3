import type { SecretBox } from '../secrets/secret-box.js';

export interface MailboxCredentials {
  username: string;
  password: string;
}

// The mailbox id is the sealing context: credentials copied onto another mailbox's row do not open.
export function sealCredentials(secrets: SecretBox, mailboxId: string, credentials: MailboxCredentials): string {
  return secrets.seal(JSON.stringify(credentials), `mailbox:${mailboxId}`);
}

export function openCredentials(secrets: SecretBox, mailboxId: string, sealed: string): MailboxCredentials {
  return JSON.parse(secrets.open(sealed, `mailbox:${mailboxId}`)) as MailboxCredentials;
}
