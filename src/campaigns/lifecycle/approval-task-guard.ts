import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../access/principal.js';
import { ProblemException } from '../../api/problem.js';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import { ProcessInstance } from '../../process/process-instance.entity.js';
import type { TaskAction } from '../../process/task-guards.js';
import type { Task } from '../../process/task.entity.js';

/** The form of both approval levels of workflows/campaigns/mass-send.bpmn (models/campaigns/solution.yaml). */
export const APPROVAL_FORM = 'campaigns:approval';

/**
 * Four eyes on a campaign: its author, and whoever submitted it, may neither take in charge nor decide its approval
 * — whatever roles they hold (an admin sees and may work every task). A rejection must say why: the author reads the
 * reason on the campaign page. Registered in TaskGuards, so the API, the task page and the inbox all obey it.
 */
@Injectable()
export class ApprovalTaskGuard {
  private readonly instances: TenantScopedRepository<ProcessInstance>;

  constructor(dataSource: DataSource) {
    this.instances = new TenantScopedRepository(dataSource, ProcessInstance);
  }

  readonly check = async (task: Task, principal: Principal, action: TaskAction, locale: Locale): Promise<void> => {
    if (task.formKey !== APPROVAL_FORM) return;
    const instance = await this.instances.findOne({ id: task.instanceId });
    const variables = instance?.variables ?? {};
    if (principal.userId === variables.authorId || principal.userId === variables.submittedBy) {
      throw new ProblemException(403, 'forbidden', translate(locale, 'campaigns.lifecycle.error.ownCampaign'));
    }
    if (action.kind === 'complete' && action.data.decision === 'reject') {
      const reason = action.data.reason;
      if (typeof reason !== 'string' || !reason.trim()) {
        throw new ProblemException(422, 'validation', undefined, {
          errors: [{ field: 'reason', message: translate(locale, 'campaigns.lifecycle.error.reasonRequired') }],
        });
      }
    }
  };
}
