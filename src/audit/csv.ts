/** Excel reads a CSV as UTF-8 only when it starts with a byte order mark; otherwise accents break. */
export const CSV_BOM = '\uFEFF';

/** Italian Excel splits on `;` (`,` is the decimal separator there). */
const SEPARATOR = ';';

/** A cell starting like this is a formula to a spreadsheet; logged text (a typed e-mail) must never run. */
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record (RFC 4180 quoting, CRLF ending) with the separator Italian Excel expects. */
export function csvRow(values: readonly (string | number)[]): string {
  return `${values.map(cell).join(SEPARATOR)}\r\n`;
}
