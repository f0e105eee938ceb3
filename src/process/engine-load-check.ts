import type { ParseResult } from 'bpmn-moddle';
import { Engine } from 'bpmn-engine';
import type { BpmnProblem } from './bpmn-problem.js';

/**
 * Last line of defence: load the parsed file into bpmn-engine's definition loader (nothing runs),
 * so a loader crash our rules did not foresee is a refusal at deploy time, not an error at run time.
 */
export async function engineLoadProblems(parsed: ParseResult): Promise<BpmnProblem[]> {
  try {
    const engine = new Engine({ name: 'deploy-check', moddleContext: parsed });
    await engine.getDefinitions();
    return [];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ elementId: parsed.rootElement.id ?? 'definitions', code: 'engine-load', params: { reason } }];
  }
}
