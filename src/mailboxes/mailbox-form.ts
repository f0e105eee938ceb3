import type { FieldError } from '../api/problem.js';
import type { Locale } from '../i18n/locale.js';
import { isMessageKey, translate } from '../i18n/translate.js';
import { isFixedPreset } from './mailbox-presets.js';

/**
 * The mailbox page's form fields as the API body: empty fields are "not given" (the preset's or
 * profile's default, or unchanged when editing), and a provider preset's hosts are not sent at all
 * because they are fixed (the inputs are shown read-only).
 */
export function inputFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const text = (name: string): string | undefined => {
    const value = body[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const number = (name: string): number | undefined => (text(name) === undefined ? undefined : Number(text(name)));
  const endpoint = (prefix: 'smtp' | 'imap') =>
    definedOnly({ host: text(`${prefix}Host`), port: number(`${prefix}Port`), security: text(`${prefix}Security`) });
  const preset = text('preset');
  const fixed = preset !== undefined && isFixedPreset(preset);
  const password = typeof body.password === 'string' && body.password !== '' ? body.password : undefined;
  return definedOnly({
    address: text('address'),
    preset,
    profile: text('profile'),
    username: text('username'),
    password,
    smtp: fixed ? undefined : endpoint('smtp'),
    imap: fixed ? undefined : endpoint('imap'),
    sentFolder: text('sentFolder'),
    limits: definedOnly({
      perMinute: number('perMinute'),
      perDay: number('perDay'),
      maxMessageMb: number('maxMessageMb'),
      maxRecipients: number('maxRecipients'),
    }),
    officeIds: ([] as unknown[]).concat(body.officeIds ?? []).filter((id): id is string => typeof id === 'string' && id !== ''),
  });
}

/** "smtp.host: required" becomes "SMTP server: required" with the form's own label. */
export function describeFieldErrors(locale: Locale, errors: FieldError[]): string[] {
  return errors.map((error) => {
    const key = `mailboxes.field.${error.field.replace(/\.\d+$/, '')}`;
    return `${isMessageKey(key) ? translate(locale, key) : error.field}: ${error.message}`;
  });
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
