import type { ModdleElement } from 'bpmn-moddle';
import { flowElementsDeep, listOf } from './bpmn-tree.js';

/*
 * Declarations real modelers write (Signavio, Trisotech, W4, Camunda Modeler exports) that nothing
 * runs: data types, service interfaces, partners and resources, and global tasks, which only a call
 * activity would start (and call activities are refused). bpmn-engine's loader maps every root
 * element to an activity type and throws "Unknown activity type" on these, so they are removed from
 * the parsed model before anything reads it. CorrelationProperty is not here: dropping it would
 * change which instance a message reaches, so it stays refused (element-support.ts).
 */
const DECLARATIONS = new Set([
  'bpmn:ItemDefinition',
  'bpmn:Resource',
  'bpmn:Interface',
  'bpmn:EndPoint',
  'bpmn:PartnerEntity',
  'bpmn:PartnerRole',
  'bpmn:GlobalTask',
  'bpmn:GlobalUserTask',
  'bpmn:GlobalManualTask',
  'bpmn:GlobalScriptTask',
  'bpmn:GlobalBusinessRuleTask',
]);

/**
 * Removes, in place, what the engine would choke on without running it: the declarations above and
 * the potentialOwner / humanPerformer of activities (bpmn-elements ignores them, and its loader
 * crashes on one without a resourceAssignmentExpression). A user task's actors come from
 * camunda:candidateGroups / camunda:assignee only. The stored XML keeps them: the diagram is shown as drawn.
 */
export function pruneDeclarations(definitions: ModdleElement): void {
  const roots = listOf(definitions, 'rootElements');
  if (roots.length === 0) return;
  definitions.rootElements = roots.filter((root) => !DECLARATIONS.has(root.$type));
  for (const process of listOf(definitions, 'rootElements').filter((root) => root.$type === 'bpmn:Process')) {
    for (const element of [process, ...flowElementsDeep(process)]) if (element.resources !== undefined) delete element.resources;
  }
}
