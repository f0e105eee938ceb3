import { types } from 'node:util';

// The parameters are `unknown`, not exceljs' CellValue: files from other tools give shapes its types do not list
// (a hyperlink whose text is rich text, a formula whose result is an error object).

/** What Excel shows in a cell: a formula's cached result, a link's text, rich text's runs joined. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (types.isDate(value)) return dateText(value);
  if (typeof value !== 'object') return '';
  if ('richText' in value) return Array.isArray(value.richText) ? value.richText.map((run: unknown) => runText(run)).join('') : '';
  if ('formula' in value || 'sharedFormula' in value) return 'result' in value ? cellText(value.result) : '';
  if ('error' in value) return typeof value.error === 'string' ? value.error : '';
  if ('text' in value) return cellText(value.text);
  return '';
}

/** The address of a cell that links to `mailto:`, through a hyperlink or a HYPERLINK("mailto:…") formula. */
export function cellMailto(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('hyperlink' in value && typeof value.hyperlink === 'string' && /^mailto:/i.test(value.hyperlink)) return value.hyperlink;
  if ('formula' in value && typeof value.formula === 'string') return /HYPERLINK\(\s*"(mailto:[^"]+)"/i.exec(value.formula)?.[1];
  return undefined;
}

function runText(run: unknown): string {
  return typeof run === 'object' && run !== null && 'text' in run ? cellText(run.text) : '';
}

/** Excel shows at most 15 significant digits; beyond them are binary artefacts (0.1 + 0.2). */
function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number.parseFloat(value.toPrecision(15)));
}

/** Excel dates have no time zone; exceljs hands them over as UTC. A date alone is written as an ISO date. */
function dateText(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19);
}
