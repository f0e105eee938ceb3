import type { OfficeTree } from '../access/office-tree.js';
import type { Locale } from '../i18n/locale.js';
import { romeDayAndTime } from '../i18n/rome-time.js';
import { isMessageKey, translate } from '../i18n/translate.js';
import type { BreakerState } from '../pacing/mailbox-breaker.js';
import type { Mailbox, MailboxState } from './mailbox.entity.js';
import type { Endpoint, PresetKey } from './mailbox-presets.js';
import type { ProfileKey, SendingLimits } from './mailbox-profiles.js';
import { settingsOf } from './mailbox-settings.js';

/** A mailbox as the API and the pages show it: never its credentials. */
export interface MailboxView {
  id: string;
  address: string;
  preset: PresetKey;
  profile: ProfileKey;
  state: MailboxState;
  stateReason: string | null;
  stateDescription: string | null;
  stateSince: string;
  checkedAt: string | null;
  smtp: Endpoint;
  imap: Endpoint;
  sentFolder: string;
  limits: SendingLimits;
  /** Whether the provider has slowed the mailbox down (its circuit breaker, decision 0025). */
  pace: { breaker: BreakerState['state']; slowedUntil: string | null; description: string | null };
  offices: { id: string; path: string }[];
  createdAt: string;
  updatedAt: string;
}

export function mailboxView(mailbox: Mailbox, officeIds: string[], tree: OfficeTree, breaker: BreakerState, locale: Locale): MailboxView {
  return {
    id: mailbox.id,
    address: mailbox.address,
    ...settingsOf(mailbox),
    state: mailbox.state,
    stateReason: mailbox.stateReason,
    stateDescription: mailbox.stateReason ? describeReason(locale, mailbox.stateReason) : null,
    stateSince: mailbox.stateSince.toISOString(),
    checkedAt: mailbox.checkedAt?.toISOString() ?? null,
    pace: {
      breaker: breaker.state,
      slowedUntil: breaker.until?.toISOString() ?? null,
      description: describeBreaker(locale, breaker),
    },
    offices: officeIds
      .map((id) => ({ id, path: tree.path(id) }))
      .filter((office) => office.path)
      .sort((a, b) => a.path.localeCompare(b.path)),
    createdAt: mailbox.createdAt.toISOString(),
    updatedAt: mailbox.updatedAt.toISOString(),
  };
}

/** "Rallentata dal provider fino alle 10:42" (Italian time: the people reading it work in Italy). */
function describeBreaker(locale: Locale, breaker: BreakerState): string | null {
  if (breaker.state === 'closed' || !breaker.until) return null;
  if (breaker.state === 'half-open') return translate(locale, 'mailboxes.pace.probing');
  return translate(locale, 'mailboxes.pace.slowed', { time: romeDayAndTime(breaker.until).time.slice(0, 5) });
}

/** "smtp:auth-failed,imap:timeout" → "SMTP: login refused…; IMAP: no answer…" in the user's language. */
export function describeReason(locale: Locale, reason: string): string {
  return reason
    .split(',')
    .map((part) => {
      const [protocol = '', code = ''] = part.split(':');
      const key = `mailboxes.reason.${code}`;
      return `${protocol.toUpperCase()}: ${isMessageKey(key) ? translate(locale, key) : code}`;
    })
    .join('; ');
}
