import type { ElementError } from '../api/problem.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import type { BpmnProblem } from './bpmn-problem.js';

/** The problems as the modeller reads them, in their language. */
export function describeBpmnProblems(problems: BpmnProblem[], locale: Locale): ElementError[] {
  return problems.map((problem) => ({
    elementId: problem.elementId,
    ...(problem.elementName ? { elementName: problem.elementName } : {}),
    message: translate(locale, `process.bpmn.${problem.code}`, problem.params),
  }));
}
