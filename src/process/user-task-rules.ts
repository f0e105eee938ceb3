import type { ModdleElement } from 'bpmn-moddle';
import { ActorSyntaxError, parseActors } from '../access/actors.js';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { listOf, refOf, textOf } from './bpmn-tree.js';

/** Role keys as roles are stored (see the roles table's CHECK). */
const ROLE_KEY = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * A user task must say who may take it in charge: `camunda:candidateGroups` (actors, see
 * access/actors.ts) or `camunda:assignee`. Otherwise it would sit in nobody's inbox for ever.
 */
export function userTaskProblems(task: ModdleElement): BpmnProblem[] {
  const groups = textOf(task, 'candidateGroups')?.trim() ?? '';
  const assignee = textOf(task, 'assignee')?.trim() ?? '';
  if (!groups && !assignee) return [problemAt(task, 'user-task-without-actor')];
  const problems: BpmnProblem[] = [];
  for (const entry of groups.split(',').map((part) => part.trim())) {
    if (entry && !isActor(entry)) problems.push(problemAt(task, 'invalid-actor', { value: entry }));
  }
  return problems;
}

function isActor(entry: string): boolean {
  // Expressions are resolved by nobody yet: a `${ }` here would become a role named "${…}".
  if (/[${}]/.test(entry)) return false;
  try {
    return parseActors(entry).every((actor) => actor.kind !== 'role' || ROLE_KEY.test(actor.role));
  } catch (error) {
    if (error instanceof ActorSyntaxError) return false;
    throw error;
  }
}

/**
 * potentialOwner / humanPerformer with only a resourceRef (MIWG C.1.0, C.3.0): the engine's loader
 * reads `resourceAssignmentExpression.expression` and crashes when the expression part is absent.
 */
export function resourceProblems(activity: ModdleElement): BpmnProblem[] {
  return listOf(activity, 'resources')
    .filter((resource) => !refOf(resource, 'resourceAssignmentExpression'))
    .map(() => problemAt(activity, 'resource-without-expression'));
}
