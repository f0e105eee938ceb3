import ExcelJS from 'exceljs';
import { writeTableCsv } from '../access/provisioning/table-writer.js';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import type { UsageReport } from './beats-usage.js';

const COLUMNS: MessageKey[] = [
  'beats.usage.column.key',
  'beats.usage.column.label',
  'beats.usage.column.beats',
  'beats.usage.column.units',
  'beats.usage.column.calls',
  'beats.usage.column.overdraft',
];

/** The file name of an export: `beats-<group>-<from>-<to>.<ext>`. */
export function usageFileName(report: UsageReport, extension: 'csv' | 'xlsx'): string {
  return `beats-${report.groupBy}-${report.period.from}-${report.period.to}.${extension}`;
}

/** CSV for Italian Excel (UTF-8 with BOM, `;`); numbers are integers, bare. The last line is the total. */
export function writeUsageCsv(report: UsageReport, locale: Locale): Buffer {
  const counts = (row: UsageReport['total']) => [row.beats, row.units, row.calls, row.overdraft].map(String);
  return writeTableCsv({
    header: COLUMNS.map((key) => translate(locale, key)),
    rows: [
      ...report.rows.map((row) => [row.key ?? '', row.label, ...counts(row)]),
      [translate(locale, 'beats.usage.total'), '', ...counts(report.total)],
    ],
  });
}

/**
 * Two sheets: a summary (period as date cells, grouping, totals) and the rows, with days and months
 * as real dates and numbers as numbers, so the office can sum and chart them.
 */
export async function writeUsageXlsx(report: UsageReport, locale: Locale): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'pecflow';
  const summary = workbook.addWorksheet(translate(locale, 'beats.usage.sheet.summary'));
  summary.columns = [{ width: 28 }, { width: 18 }];
  summary.addRows([
    [translate(locale, 'beats.usage.from'), italianDate(report.period.from)],
    [translate(locale, 'beats.usage.to'), italianDate(report.period.to)],
    [translate(locale, 'beats.usage.groupBy'), translate(locale, `beats.usage.group.${report.groupBy}`)],
    [translate(locale, 'beats.usage.column.beats'), report.total.beats],
    [translate(locale, 'beats.usage.column.units'), report.total.units],
    [translate(locale, 'beats.usage.column.calls'), report.total.calls],
    [translate(locale, 'beats.usage.column.overdraft'), report.total.overdraft],
  ]);
  summary.getColumn(1).font = { bold: true };
  for (const row of [1, 2]) summary.getCell(row, 2).numFmt = 'dd/mm/yyyy';
  for (const row of [4, 5, 6, 7]) summary.getCell(row, 2).numFmt = '#,##0';

  const sheet = workbook.addWorksheet(translate(locale, 'beats.usage.sheet.rows'), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(COLUMNS.map((key) => translate(locale, key))).font = { bold: true };
  const dated = report.groupBy === 'day' || report.groupBy === 'month';
  for (const row of report.rows) {
    const key = dated && row.key ? italianDate(row.key.length === 7 ? `${row.key}-01` : row.key) : (row.key ?? '');
    sheet.addRow([key, row.label, row.beats, row.units, row.calls, row.overdraft]);
  }
  sheet.getColumn(1).width = dated ? 14 : 24;
  sheet.getColumn(2).width = 40;
  if (dated) sheet.getColumn(1).numFmt = report.groupBy === 'day' ? 'dd/mm/yyyy' : 'mm/yyyy';
  for (const column of [3, 4, 5, 6]) {
    sheet.getColumn(column).numFmt = '#,##0';
    sheet.getColumn(column).width = 14;
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: COLUMNS.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A calendar day as a date cell: midnight UTC, which spreadsheets show as that day whatever their zone. */
function italianDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}
