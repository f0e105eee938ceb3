import { Injectable, Logger } from '@nestjs/common';
import { In, IsNull, Not, QueryFailedError } from 'typeorm';
import { MembershipRepository } from '../access/repositories.js';
import { ActivityLog } from '../audit/activity-log.js';
import { readDeployedBpmn } from './bpmn-reader.js';
import { flowElementsDeep, listOf, refOf } from './bpmn-tree.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessInstanceRepository, ProcessTimerRepository, TaskEscalationRepository, TaskRepository } from './runtime-repositories.js';
import { TaskInbox } from './task-inbox.js';
import { TaskNotices } from './task-notices.js';
import type { Task } from './task.entity.js';

/** The role whose holders are an office's managers (memberships.role_key), as in the built-in roles. */
const MANAGER_ROLE = 'manager';

/**
 * Escalation (sollecito): a boundary timer that comes due on a user task nobody has taken in charge
 * yet. Interrupting or not, the model's own path goes on (a Sollecito task, a reminder); on top of
 * it the task is marked escalated and its candidates and the managers of their offices get an e-mail,
 * so a task left in a shared inbox reaches someone who answers for it. A task already in someone's
 * charge is not escalated: the person who has it is working on it, and the model's path says the rest.
 */
@Injectable()
export class TaskEscalations {
  private readonly logger = new Logger(TaskEscalations.name);

  constructor(
    private readonly timers: ProcessTimerRepository,
    private readonly instances: ProcessInstanceRepository,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly tasks: TaskRepository,
    private readonly inbox: TaskInbox,
    private readonly escalations: TaskEscalationRepository,
    private readonly memberships: MembershipRepository,
    private readonly notices: TaskNotices,
    private readonly activity: ActivityLog,
  ) {}

  /**
   * Called by the timer job before the timer fires (an interrupting one cancels the task, and with it
   * the fact that it was still open). One escalation row per (task, timer row): a job delivered twice
   * notifies once, each firing of a cycle is a new timer row and so a new escalation. Returns the
   * escalated task ids.
   */
  async beforeFire(timerId: string): Promise<string[]> {
    const timer = await this.timers.findOne({ id: timerId });
    if (!timer || timer.state !== 'scheduled') return [];
    const instance = await this.instances.findOne({ id: timer.instanceId });
    const definition = instance ? await this.definitions.findOne({ id: instance.definitionId }) : null;
    const taskElement = definition ? await userTaskUnder(definition.bpmn, timer.elementId) : null;
    if (!taskElement) return [];
    const open = await this.tasks.find({ instanceId: timer.instanceId, elementId: taskElement, state: 'open' });
    const escalated: string[] = [];
    for (const task of open) if (await this.escalate(task, timer.id, timer.elementId)) escalated.push(task.id);
    return escalated;
  }

  private async escalate(task: Task, timerId: string, elementId: string): Promise<boolean> {
    const managers = await this.managersOf(task.candidateUserIds);
    const recipients = [...new Set([...task.candidateUserIds, ...managers])].sort();
    const at = new Date();
    try {
      // The escalation row, the task's mark and its history line commit together or not at all.
      await this.inbox.changed(
        task,
        null,
        'task-escalated',
        async (tasks, manager) => {
          await this.escalations.within(manager).insert({ taskId: task.id, timerId, elementId, notified: recipients });
          await tasks.update({ id: task.id, escalatedAt: IsNull() }, { escalatedAt: at });
          return 1;
        },
        { timer: elementId },
      );
    } catch (error) {
      if (!(error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505')) throw error;
      // Escalated by an earlier delivery of this job, which may have died before queueing the mails:
      // queue them again under the same keys, which adds nothing for those already queued or sent.
      const earlier = await this.escalations.findOne({ taskId: task.id, timerId });
      await this.notices.send('escalated', task, earlier?.notified ?? recipients, {}, `${task.id}:${timerId}`);
      return false;
    }
    await this.activity.record({
      action: 'task.escalated',
      actor: 'system',
      resource: { type: 'task', id: task.id },
      details: { timer: elementId, timerId, candidates: task.candidateUserIds.length, managers: managers.length },
    });
    const mailed = await this.notices.send('escalated', task, recipients, {}, `${task.id}:${timerId}`);
    this.logger.log(`task ${task.id} escalated by ${elementId}: ${mailed.length} people notified`);
    return true;
  }

  /** The managers of every office where one of the candidates holds a role. */
  private async managersOf(userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const offices = (await this.memberships.find({ userId: In(userIds), officeId: Not(IsNull()) })).map((m) => m.officeId!);
    if (offices.length === 0) return [];
    const managers = await this.memberships.find({ roleKey: MANAGER_ROLE, officeId: In([...new Set(offices)]) });
    return [...new Set(managers.map((m) => m.userId))];
  }
}

/** The user task a boundary event is attached to, or null when the element is anything else. */
async function userTaskUnder(bpmn: string, boundaryId: string): Promise<string | null> {
  const read = await readDeployedBpmn(bpmn);
  if (!read.ok) return null;
  for (const process of listOf(read.definitions, 'rootElements')) {
    if (process.$type !== 'bpmn:Process') continue;
    const boundary = flowElementsDeep(process).find((element) => element.id === boundaryId && element.$type === 'bpmn:BoundaryEvent');
    const attached = boundary ? refOf(boundary, 'attachedToRef') : undefined;
    if (attached) return attached.$type === 'bpmn:UserTask' ? (attached.id ?? null) : null;
  }
  return null;
}
