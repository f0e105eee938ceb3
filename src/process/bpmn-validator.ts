import type { ModdleElement } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { readBpmn } from './bpmn-reader.js';
import { executableProcesses, FlowGraph, flowElementsDeep, listOf } from './bpmn-tree.js';
import { conditionProblems, scriptProblems } from './condition-rules.js';
import { unsupportedElements } from './element-support.js';
import { engineLoadProblems } from './engine-load-check.js';
import { messageProblems } from './message-rules.js';
import { flowReferenceProblems, reachabilityProblems } from './reachability.js';
import { serviceTaskProblems } from './service-task-rules.js';
import { unrunStepProblems } from './step-rules.js';
import { signalProblems } from './signal-rules.js';
import { startTimerProblems, timerProblems } from './timer-rules.js';
import { userTaskProblems, userTaskWarnings } from './user-task-rules.js';

/** An executable process of a valid file: what gets deployed. */
export interface DeployableProcess {
  key: string;
  name: string | null;
}

/** `warnings`: what deploys but runs other than the modeller may expect (same shape and catalogue as problems). */
export type BpmnVerdict = { ok: true; processes: DeployableProcess[]; warnings: BpmnProblem[] } | { ok: false; problems: BpmnProblem[] };

/**
 * Decides whether a BPMN file may be deployed, and answers every problem it finds (not just the
 * first) tied to an element id. It never throws: whatever the input, the answer is a verdict.
 * `plugs`: the plug names service and send tasks may use as camunda:topic (PlugRegistry.names()).
 */
export async function validateBpmn(xml: string, plugs: ReadonlySet<string>): Promise<BpmnVerdict> {
  try {
    return await judge(xml, plugs);
  } catch (error) {
    // A rule tripping over a shape nobody foresaw is still a refusal, never a crash of the caller.
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ elementId: 'definitions', code: 'engine-load', params: { reason } }] };
  }
}

async function judge(xml: string, plugs: ReadonlySet<string>): Promise<BpmnVerdict> {
  const read = await readBpmn(xml);
  if (!read.ok) return { ok: false, problems: [read.problem] };
  const { definitions, parsed } = read;
  if (definitions.$type !== 'bpmn:Definitions') {
    return { ok: false, problems: [{ elementId: 'definitions', code: 'not-bpmn', params: { reason: definitions.$type } }] };
  }
  const executable = executableProcesses(definitions);
  const problems: BpmnProblem[] = [...unsupportedElements(definitions, parsed.warnings)];
  if (executable.length === 0) problems.push({ elementId: definitions.id ?? 'definitions', code: 'no-executable-process' });
  const processes = listOf(definitions, 'rootElements').filter((root) => root.$type === 'bpmn:Process');
  for (const process of processes) {
    const elements = flowElementsDeep(process);
    // What would crash the loader or run code matters in every process of the file: the engine loads them all.
    for (const element of elements) problems.push(...scriptProblems(element));
    if (executable.includes(process)) problems.push(...executableProblems(process, elements, parsed.warnings, plugs));
  }
  if (problems.length > 0) return { ok: false, problems };
  const loadProblems = await engineLoadProblems(parsed);
  if (loadProblems.length > 0) return { ok: false, problems: loadProblems };
  return {
    ok: true,
    processes: executable.map((process) => ({ key: process.id!, name: typeof process.name === 'string' ? process.name : null })),
    warnings: executable.flatMap((process) => flowElementsDeep(process).filter(isUserTask).flatMap(userTaskWarnings)),
  };
}

function executableProblems(
  process: ModdleElement,
  elements: ModdleElement[],
  warnings: Parameters<typeof flowReferenceProblems>[1],
  plugs: ReadonlySet<string>,
): BpmnProblem[] {
  const graph = new FlowGraph(process);
  const problems: BpmnProblem[] = [];
  for (const element of elements) {
    if (isUserTask(element)) problems.push(...userTaskProblems(element));
    if (element.$type === 'bpmn:InclusiveGateway' && graph.incomingCount(element) > 1) {
      // bpmn-elements 17.x has no converging inclusive gateway (bpmn-elements issue #46).
      problems.push(problemAt(element, 'inclusive-join'));
    }
    for (const definition of listOf(element, 'eventDefinitions')) {
      if (definition.$type === 'bpmn:TimerEventDefinition') problems.push(...timerProblems(element, definition));
    }
    problems.push(
      ...unrunStepProblems(element),
      ...conditionProblems(element),
      ...messageProblems(element),
      ...signalProblems(element),
      ...serviceTaskProblems(element, plugs),
    );
  }
  problems.push(...startTimerProblems(process));
  const flowProblems = flowReferenceProblems(process, warnings);
  // Reachability over flows that point nowhere would only repeat the same mistake as "unreachable".
  return [...problems, ...flowProblems, ...(flowProblems.length > 0 ? [] : reachabilityProblems(process, graph))];
}

const isUserTask = (element: ModdleElement): boolean => element.$type === 'bpmn:UserTask';
