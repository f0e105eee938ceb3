import type { Locale } from '../../i18n/locale.js';
import { isMessageKey, translate, type MessageKey } from '../../i18n/translate.js';
import type { ApprovalView, LifecycleEventView } from './campaign-lifecycle.js';

/** The page's notice after a lifecycle form (`?lifecycle=`): only these words are read from the query string. */
const NOTICES: Record<string, MessageKey> = {
  submitted: 'campaigns.lifecycle.notice.submitted',
  cancelled: 'campaigns.lifecycle.notice.cancelled',
  paused: 'campaigns.lifecycle.notice.paused',
  resumed: 'campaigns.lifecycle.notice.resumed',
  conflict: 'campaigns.lifecycle.notice.conflict',
  invalid: 'campaigns.lifecycle.notice.invalid',
};

const when = (locale: Locale, iso: string): string =>
  new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(
    new Date(iso),
  );

/** A reason as people read it: a refused launch stores a problem's message key, a rejection the approver's words. */
function reasonText(locale: Locale, reason: string | null): string | null {
  if (reason === null) return null;
  return isMessageKey(reason) ? translate(locale, reason) : reason;
}

function eventRow(locale: Locale, event: LifecycleEventView) {
  return {
    label: translate(locale, `campaigns.lifecycle.event.${event.event}` as MessageKey),
    level: event.level,
    actor: event.actor?.name ?? translate(locale, 'campaigns.lifecycle.platform'),
    at: when(locale, event.at),
    reason: reasonText(locale, event.reason),
  };
}

/** What partials/campaign-lifecycle.hbs draws: the start, pause, resume and cancel forms, where the approval stands, its history. */
export function lifecyclePage(
  locale: Locale,
  view: ApprovalView,
  options: { canAct: boolean; importDone: boolean; recipients: number; notice?: unknown },
) {
  const notice = typeof options.notice === 'string' ? NOTICES[options.notice] : undefined;
  const draft = view.status === 'draft';
  return {
    id: view.id,
    notice: notice ? translate(locale, notice) : null,
    canStart: options.canAct && draft && options.importDone && options.recipients > 0,
    canCancel: options.canAct && ['awaiting-approval', 'scheduled', 'sending', 'paused'].includes(view.status),
    canPause: options.canAct && view.status === 'sending',
    canResume: options.canAct && view.status === 'paused',
    startLabel: translate(locale, view.approvalLevels > 0 ? 'campaigns.lifecycle.submit' : 'campaigns.lifecycle.send'),
    pending:
      view.pendingLevel !== null
        ? translate(locale, 'campaigns.lifecycle.pending', { level: view.pendingLevel, levels: view.approvalLevels })
        : null,
    scheduled:
      view.status === 'scheduled' && view.scheduledAt
        ? translate(locale, 'campaigns.lifecycle.scheduledFor', { at: when(locale, view.scheduledAt) })
        : null,
    returnedBecause: view.returnedBecause
      ? {
          label: translate(locale, `campaigns.lifecycle.event.${view.returnedBecause.event}` as MessageKey),
          reason: reasonText(locale, view.returnedBecause.reason),
        }
      : null,
    history: view.history.map((event) => eventRow(locale, event)),
  };
}
