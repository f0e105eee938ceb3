import type { ModdleElement } from 'bpmn-moddle';
import { ActorSyntaxError, parseActors } from '../access/actors.js';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { textOf } from './bpmn-tree.js';

/** Role keys as roles are stored (see the roles table's CHECK). */
const ROLE_KEY = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * A user task says who may take it in charge with `camunda:candidateGroups` (actors, see
 * access/actors.ts, or `${variable}` holding them) or `camunda:assignee`; what it says must be readable.
 */
export function userTaskProblems(task: ModdleElement): BpmnProblem[] {
  const groups = textOf(task, 'candidateGroups')?.trim() ?? '';
  const assignee = textOf(task, 'assignee')?.trim() ?? '';
  const problems: BpmnProblem[] = [];
  const entries = variableReference(groups) === null ? groups.split(',').map((part) => part.trim()) : [];
  for (const entry of entries) {
    if (entry && !isActor(entry)) problems.push(problemAt(task, 'invalid-actor', { value: entry }));
  }
  if (assignee && variableReference(assignee) === null && !isActor(assignee)) {
    problems.push(problemAt(task, 'invalid-assignee', { value: assignee }));
  }
  return problems;
}

/**
 * A user task naming nobody (most models from other tools: their potentialOwner is not read) is
 * deployed with this warning: at run time it goes to the workspace's admins (TaskRows), who hand it on.
 */
export function userTaskWarnings(task: ModdleElement): BpmnProblem[] {
  const named = [textOf(task, 'candidateGroups'), textOf(task, 'assignee')].some((text) => text?.trim());
  return named ? [] : [problemAt(task, 'user-task-without-actor')];
}

/** `${name}`: the assignee (or the candidate groups) is read from the instance's variable `name` when the task is created. */
const VARIABLE_REFERENCE = /^\$\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}$/;

/**
 * The variable a `camunda:assignee="${requester}"` or `camunda:candidateGroups="${candidates}"`
 * names, or null. Only this exact form is an expression here: anything else with `${`, `#{` or
 * braces is refused by the validator.
 */
export function variableReference(text: string): string | null {
  return VARIABLE_REFERENCE.exec(text.trim())?.[1] ?? null;
}

function isActor(entry: string): boolean {
  // Expressions are not resolved here: a `${ }` would become a role named "${…}" (assignee: see assigneeVariable).
  if (/[${}]/.test(entry)) return false;
  try {
    return parseActors(entry).every((actor) => actor.kind !== 'role' || ROLE_KEY.test(actor.role));
  } catch (error) {
    if (error instanceof ActorSyntaxError) return false;
    throw error;
  }
}
