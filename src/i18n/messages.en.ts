import { coreEn } from './catalogues/core.en.js';
import { identityEn } from './catalogues/identity.en.js';
import { administrationEn } from './catalogues/administration.en.js';
import { auditEn } from './catalogues/audit.en.js';
import { processEn } from './catalogues/process.en.js';
import { tasksEn } from './catalogues/tasks.en.js';
import { solutionsEn } from './catalogues/solutions.en.js';
import { mailboxesEn } from './catalogues/mailboxes.en.js';
import { pecEn } from './catalogues/pec.en.js';
import { beatsEn } from './catalogues/beats.en.js';
import { campaignsEn } from './catalogues/campaigns.en.js';
import type { MessageKey } from './messages.it.js';

export const en: Record<MessageKey, string> = {
  ...coreEn,
  ...identityEn,
  ...administrationEn,
  ...auditEn,
  ...processEn,
  ...tasksEn,
  ...solutionsEn,
  ...mailboxesEn,
  ...pecEn,
  ...beatsEn,
  ...campaignsEn,
};
