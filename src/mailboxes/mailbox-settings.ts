import { ProblemException, type FieldError } from '../api/problem.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import type { Mailbox } from './mailbox.entity.js';
import type { Endpoint, PresetKey, Presets } from './mailbox-presets.js';
import { PROFILES, type ProfileKey, type SendingLimits } from './mailbox-profiles.js';

/** Everything about a mailbox but its address, credentials and offices. */
export interface MailboxSettings {
  preset: PresetKey;
  profile: ProfileKey;
  smtp: Endpoint;
  imap: Endpoint;
  sentFolder: string;
  limits: SendingLimits;
}

export interface SettingsInput {
  preset?: PresetKey;
  profile?: ProfileKey;
  smtp?: Partial<Endpoint>;
  imap?: Partial<Endpoint>;
  sentFolder?: string;
  limits?: Partial<SendingLimits>;
}

const DEFAULT_SENT_FOLDER = 'Sent';

/**
 * The settings a create or a change asks for: the preset's connection and the profile's limits, with
 * the overrides on top. A new preset or profile starts again from its own defaults; otherwise the
 * current values are kept. A provider preset's hosts cannot be overridden (a 422 says so).
 */
export function resolveSettings(
  input: SettingsInput,
  current: MailboxSettings | undefined,
  presets: Presets,
  locale: Locale,
): MailboxSettings {
  const preset = input.preset ?? current!.preset;
  const profile = input.profile ?? current!.profile;
  const presetChanged = !current || preset !== current.preset;
  const profileChanged = !current || profile !== current.profile;
  const defaults = preset === 'custom' ? undefined : presets[preset];
  const errors: FieldError[] = [];
  if (defaults && !defaults.overridable)
    for (const field of ['smtp', 'imap'] as const)
      if (input[field] && Object.keys(input[field]).length > 0)
        errors.push({ field, message: translate(locale, 'mailboxes.error.fixedByPreset', { preset }) });
  const endpoint = (field: 'smtp' | 'imap'): Endpoint => {
    const merged = { ...(presetChanged ? defaults?.[field] : current[field]), ...input[field] };
    for (const part of ['host', 'port', 'security'] as const)
      if (merged[part] === undefined) errors.push({ field: `${field}.${part}`, message: translate(locale, 'field.required') });
    return merged as Endpoint;
  };
  const settings: MailboxSettings = {
    preset,
    profile,
    smtp: endpoint('smtp'),
    imap: endpoint('imap'),
    sentFolder: input.sentFolder ?? (presetChanged ? (defaults?.sentFolder ?? DEFAULT_SENT_FOLDER) : current.sentFolder),
    limits: { ...(profileChanged ? PROFILES[profile] : current.limits), ...input.limits },
  };
  if (errors.length > 0) throw new ProblemException(422, 'validation', undefined, { errors });
  return settings;
}

/** A stored mailbox's settings, as resolveSettings takes them and the API shows them. */
export function settingsOf(mailbox: Mailbox): MailboxSettings {
  return {
    preset: mailbox.preset,
    profile: mailbox.profile,
    smtp: { host: mailbox.smtpHost, port: mailbox.smtpPort, security: mailbox.smtpSecurity },
    imap: { host: mailbox.imapHost, port: mailbox.imapPort, security: mailbox.imapSecurity },
    sentFolder: mailbox.sentFolder,
    limits: {
      perMinute: mailbox.perMinute,
      perDay: mailbox.perDay,
      maxMessageMb: mailbox.maxMessageMb,
      maxRecipients: mailbox.maxRecipients,
    },
  };
}
