import type { Locale } from '../i18n/locale.js';
import { isMessageKey, translate } from '../i18n/translate.js';
import type { ActivityEntry } from './activity-entry.entity.js';

export interface ActivityRow {
  seq: number;
  atIso: string;
  atText: string;
  actor: string;
  action: string;
  actionLabel: string;
  resource: string;
  ip: string;
  details: string;
  hash: string;
  hashShort: string;
}

// Shown in Italian time: the people reading the log work in Italy, whatever the server's zone.
const formats: Record<Locale, Intl.DateTimeFormat> = {
  it: new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Rome' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Rome' }),
};

/** Known actions get a translated name; any other (a module added one) shows its code. */
function actionLabel(locale: Locale, action: string): string {
  const key = `activity.action.${action}`;
  return isMessageKey(key) ? translate(locale, key) : action;
}

/** An entry as the activity page shows it. */
export function toActivityRow(entry: ActivityEntry, locale: Locale): ActivityRow {
  const details = JSON.stringify(entry.details);
  return {
    seq: entry.seq,
    atIso: entry.at.toISOString(),
    atText: formats[locale].format(entry.at),
    actor: entry.actorId === null && entry.actorLabel === 'system' ? translate(locale, 'activity.system') : entry.actorLabel,
    action: entry.action,
    actionLabel: actionLabel(locale, entry.action),
    resource: entry.resourceType === null ? '' : `${entry.resourceType} ${entry.resourceId ?? ''}`,
    ip: entry.ip ?? '',
    details: details === '{}' ? '' : details,
    hash: entry.hash,
    hashShort: entry.hash.slice(0, 12),
  };
}
