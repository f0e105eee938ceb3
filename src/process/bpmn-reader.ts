import BpmnModdle, { type ModdleElement, type ParseResult } from 'bpmn-moddle';
import { createRequire } from 'node:module';
import type { BpmnProblem } from './bpmn-problem.js';
import { pruneDeclarations } from './bpmn-prune.js';

// The same moddle packages the engine is given, so what we check is what it will load.
const camunda = createRequire(import.meta.url)('camunda-bpmn-moddle/resources/camunda.json') as Record<string, unknown>;
export const MODDLE_PACKAGES: Record<string, unknown> = { camunda };

export type ReadBpmn = { ok: true; parsed: ParseResult; definitions: ModdleElement } | { ok: false; problem: BpmnProblem };

/**
 * Parses BPMN 2.0 XML as bpmn-engine does (bpmn-moddle with the camunda: extension), less the
 * declarations nothing runs (bpmn-prune.ts), so the validator checks and its dry load loads the very
 * model the runtime hydrates; never throws.
 */
export async function readBpmn(xml: string): Promise<ReadBpmn> {
  const text = xml.replace(/^\uFEFF/, '').trim();
  if (!text.startsWith('<')) return { ok: false, problem: { elementId: 'definitions', code: 'not-xml', params: { reason: 'no XML' } } };
  try {
    const parsed = await new BpmnModdle(MODDLE_PACKAGES).fromXML(text);
    if (parsed.rootElement.$type === 'bpmn:Definitions') pruneDeclarations(parsed.rootElement);
    return { ok: true, parsed, definitions: parsed.rootElement };
  } catch (error) {
    // moddle says "unexpected element" when the XML is fine but its root is not bpmn:definitions.
    const warnings = (error as { warnings?: { message: string }[] }).warnings ?? [];
    const reason = firstLine(warnings[0]?.message ?? (error as Error).message);
    const notBpmn = warnings.some((w) => /unexpected element|unknown type/.test(w.message));
    return { ok: false, problem: { elementId: 'definitions', code: notBpmn ? 'not-bpmn' : 'not-xml', params: { reason } } };
  }
}

function firstLine(message: string): string {
  const nested = /nested error: (.*)$/m.exec(message)?.[1];
  return (nested ?? message.split('\n')[0] ?? message).trim();
}

/** Definitions the runtime hydrates engines from; a few hundred versions is more than a workspace runs at once. */
const CACHED_DEFINITIONS = 256;
const parsedDefinitions = new Map<string, Promise<ReadBpmn>>();

/**
 * readBpmn for the runtime, which hydrates a new engine at every step of every instance: parsing the
 * XML was most of a step's CPU, and a deployed version's XML never changes (it is stored by content
 * hash), so the parse is kept. The engine only reads the moddle context (it serialises its own copy).
 */
export function readDeployedBpmn(xml: string): Promise<ReadBpmn> {
  const cached = parsedDefinitions.get(xml);
  if (cached) {
    // Map order is insertion order: re-inserting makes this the most recently used.
    parsedDefinitions.delete(xml);
    parsedDefinitions.set(xml, cached);
    return cached;
  }
  const read = readBpmn(xml);
  parsedDefinitions.set(xml, read);
  if (parsedDefinitions.size > CACHED_DEFINITIONS) parsedDefinitions.delete(parsedDefinitions.keys().next().value!);
  return read;
}
