import { coreIt } from './catalogues/core.it.js';
import { identityIt } from './catalogues/identity.it.js';
import { administrationIt } from './catalogues/administration.it.js';
import { auditIt } from './catalogues/audit.it.js';
import { processIt } from './catalogues/process.it.js';
import { tasksIt } from './catalogues/tasks.it.js';
import { solutionsIt } from './catalogues/solutions.it.js';
import { mailboxesIt } from './catalogues/mailboxes.it.js';
import { pecIt } from './catalogues/pec.it.js';
import { beatsIt } from './catalogues/beats.it.js';
import { campaignsIt } from './catalogues/campaigns.it.js';

/**
 * The Italian catalogue is the reference: every other language must have exactly these keys. Each domain
 * keeps its messages in its own file under catalogues/; a key lives in one file only (translate.spec checks it).
 */
export const it = {
  ...coreIt,
  ...identityIt,
  ...administrationIt,
  ...auditIt,
  ...processIt,
  ...tasksIt,
  ...solutionsIt,
  ...mailboxesIt,
  ...pecIt,
  ...beatsIt,
  ...campaignsIt,
} as const;

export type MessageKey = keyof typeof it;
