import { Injectable } from '@nestjs/common';
import { TaskRepository } from './runtime-repositories.js';

/** Seconds; null when no task of the group has reached that point yet. */
export interface DurationFigures {
  median: number | null;
  p90: number | null;
}

export interface SlaFigures {
  definitionKey: string;
  definitionName: string | null;
  elementId: string;
  taskName: string | null;
  /** Tasks created in the window, in any state. */
  count: number;
  open: number;
  /** Open or claimed tasks whose due date has passed. */
  overdue: number;
  completed: number;
  /** Created → claimed (presa in carico), over the tasks that were claimed. */
  takeCharge: DurationFigures;
  /** Claimed → completed, over the completed tasks. */
  complete: DurationFigures;
}

interface SlaRow {
  key: string;
  definition_name: string | null;
  element_id: string;
  task_name: string | null;
  count: string;
  open: string;
  overdue: string;
  completed: string;
  take_median: number | null;
  take_p90: number | null;
  complete_median: number | null;
  complete_p90: number | null;
}

/**
 * Service levels per task type (definition key + user task element, across versions): how long tasks
 * wait to be taken and how long they take once taken. Computed by PostgreSQL from the task rows, whose
 * created/claimed/completed times are the ones the history records: one grouped query, no copy to keep in step.
 * A released task's claimed_at is cleared, so "take charge" measures the claim that stuck.
 */
@Injectable()
export class ProcessSla {
  constructor(private readonly tasks: TaskRepository) {}

  async figures(since: Date | null, now = new Date()): Promise<SlaFigures[]> {
    const query = this.tasks
      .query('t')
      .innerJoin('process_instances', 'i', 'i.id = t.instance_id AND i.tenant_id = t.tenant_id')
      .innerJoin('process_definitions', 'd', 'd.id = i.definition_id AND d.tenant_id = t.tenant_id')
      .select('d.key', 'key')
      // The latest version's name: (array_agg ORDER BY version DESC)[1].
      .addSelect('(array_agg(d.name ORDER BY d.version DESC))[1]', 'definition_name')
      .addSelect('t.element_id', 'element_id')
      .addSelect('(array_agg(t.name ORDER BY t.created_at DESC))[1]', 'task_name')
      .addSelect('count(*)', 'count')
      .addSelect(`count(*) FILTER (WHERE t.state IN ('open', 'claimed'))`, 'open')
      .addSelect(`count(*) FILTER (WHERE t.state IN ('open', 'claimed') AND t.due_at < :now)`, 'overdue')
      .addSelect(`count(*) FILTER (WHERE t.state = 'completed')`, 'completed')
      .addSelect(percentile(0.5, 't.claimed_at - t.created_at', 't.claimed_at IS NOT NULL'), 'take_median')
      .addSelect(percentile(0.9, 't.claimed_at - t.created_at', 't.claimed_at IS NOT NULL'), 'take_p90')
      .addSelect(percentile(0.5, 't.completed_at - t.claimed_at', `t.state = 'completed' AND t.claimed_at IS NOT NULL`), 'complete_median')
      .addSelect(percentile(0.9, 't.completed_at - t.claimed_at', `t.state = 'completed' AND t.claimed_at IS NOT NULL`), 'complete_p90')
      .groupBy('d.key')
      .addGroupBy('t.element_id')
      .orderBy('d.key')
      .addOrderBy('t.element_id')
      .setParameters({ now });
    if (since) query.andWhere('t.created_at >= :since', { since });
    const rows = await query.getRawMany<SlaRow>();
    return rows.map((row) => ({
      definitionKey: row.key,
      definitionName: row.definition_name,
      elementId: row.element_id,
      taskName: row.task_name,
      count: Number(row.count),
      open: Number(row.open),
      overdue: Number(row.overdue),
      completed: Number(row.completed),
      takeCharge: { median: seconds(row.take_median), p90: seconds(row.take_p90) },
      complete: { median: seconds(row.complete_median), p90: seconds(row.complete_p90) },
    }));
  }
}

/** The continuous percentile of an interval, in seconds, over the rows matching `where`. */
function percentile(fraction: number, interval: string, where: string): string {
  return `percentile_cont(${fraction}) WITHIN GROUP (ORDER BY extract(epoch FROM ${interval})) FILTER (WHERE ${where})`;
}

function seconds(value: number | string | null): number | null {
  return value === null ? null : Math.round(Number(value));
}
