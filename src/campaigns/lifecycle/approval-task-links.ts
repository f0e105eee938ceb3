import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import type { JsonObject } from '../../process/process-instance.entity.js';
import type { TaskLink } from '../../process/task-links.js';
import { MASS_SEND_PROCESS } from './campaign-lifecycle.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An approval task links to its campaign: the approver reads the preview, the cost and the recipients before deciding. */
export function approvalTaskLinks(definitionKey: string, variables: JsonObject, locale: Locale): TaskLink[] {
  const id = variables.campaignId;
  if (definitionKey !== MASS_SEND_PROCESS || typeof id !== 'string' || !UUID.test(id)) return [];
  return [{ href: `/campaigns/${id}`, label: translate(locale, 'campaigns.lifecycle.openCampaign') }];
}
