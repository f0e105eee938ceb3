import type { AppConfig } from '../config/config.schema.js';

/** How a client protects the connection: implicit TLS from the first byte, STARTTLS upgrade, or none (loopback only). */
export const SECURITIES = ['tls', 'starttls', 'none'] as const;
export type Security = (typeof SECURITIES)[number];

export interface Endpoint {
  host: string;
  port: number;
  security: Security;
}

export interface MailboxPreset {
  smtp: Endpoint;
  imap: Endpoint;
  sentFolder: string;
  /** Whether an admin may change hosts, ports and security (custom and local); a provider preset is fixed. */
  overridable: boolean;
}

export const PRESET_KEYS = ['aruba', 'legalmail', 'namirial', 'local', 'custom'] as const;
export type PresetKey = (typeof PRESET_KEYS)[number];

/**
 * Connection settings per provider. pec-protocol.md verifies no host, port or folder name (§10 lists
 * the providers only by the From address and signer of their receipts): every value below is the
 * provider's commonly published client setting, marked [U] in the rulebook's sense, so it is a
 * default an admin can check against the provider's current guide, not a fact the code relies on.
 * Submission on 465 with implicit TLS (RFC 8314 §3.3) and IMAP on 993 are what all three publish.
 */
export type Presets = Record<Exclude<PresetKey, 'custom'>, MailboxPreset>;

const PROVIDERS: Omit<Presets, 'local'> = {
  // [U] Aruba PEC client guide; receipts come from posta-certificata@pec.aruba.it (pec-protocol.md §10, [V]).
  aruba: {
    smtp: { host: 'smtps.pec.aruba.it', port: 465, security: 'tls' },
    imap: { host: 'imaps.pec.aruba.it', port: 993, security: 'tls' },
    sentFolder: 'INBOX.Sent',
    overridable: false,
  },
  // [U] InfoCert Legalmail client guide; sender limit 6 messages/min (research/campaign-anchors.md provider facts).
  legalmail: {
    smtp: { host: 'sendm.cert.legalmail.it', port: 465, security: 'tls' },
    imap: { host: 'mbox.cert.legalmail.it', port: 993, security: 'tls' },
    sentFolder: 'Sent',
    overridable: false,
  },
  // [U] Namirial client guide; its PEC domain is sicurezzapostale.it (pec-protocol.md §10, [V]).
  namirial: {
    smtp: { host: 'smtps.sicurezzapostale.it', port: 465, security: 'tls' },
    imap: { host: 'imaps.sicurezzapostale.it', port: 993, security: 'tls' },
    sentFolder: 'Sent',
    overridable: false,
  },
};

/**
 * Every preset of this installation. The local one points at where this installation runs its own
 * provider (the local PEC provider's SMTP port and our Dovecot's IMAP port, from the configuration),
 * plain text on loopback like the rest of the local mail services: a test run with its own Dovecot
 * and the demo each get their own.
 */
export function presetsFor(config: Pick<AppConfig, 'PEC_PROVIDER_SMTP_PORT' | 'DOVECOT_IMAP_PORT'>): Presets {
  return {
    ...PROVIDERS,
    local: {
      smtp: { host: '127.0.0.1', port: config.PEC_PROVIDER_SMTP_PORT, security: 'none' },
      imap: { host: '127.0.0.1', port: config.DOVECOT_IMAP_PORT, security: 'none' },
      sentFolder: 'Sent',
      overridable: true,
    },
  };
}

/** Whether the preset is a provider's, whose hosts, ports and security an admin cannot change. */
export function isFixedPreset(key: string): boolean {
  return Object.hasOwn(PROVIDERS, key);
}
