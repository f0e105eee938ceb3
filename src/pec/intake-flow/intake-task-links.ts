import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import type { JsonObject } from '../../process/process-instance.entity.js';
import type { TaskLink } from '../../process/task-links.js';
import { INTAKE_PROCESS_KEY } from './intake-starts.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An intake task links to its PEC (the page checks who may read it) and to the reply composed from it. */
export function intakeTaskLinks(definitionKey: string, variables: JsonObject, locale: Locale): TaskLink[] {
  const id = variables.messageId;
  if (definitionKey !== INTAKE_PROCESS_KEY || typeof id !== 'string' || !UUID.test(id)) return [];
  return [
    { href: `/pec/messages/${id}`, label: translate(locale, 'pecIntake.read') },
    { href: `/pec/messages/new?replyTo=${id}`, label: translate(locale, 'pecIntake.reply') },
  ];
}
