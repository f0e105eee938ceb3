import type { Response } from 'express';
import { writeTableCsv, writeTableXlsx, type TextTable } from '../access/provisioning/table-writer.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import type { ErrorReportRow } from './campaign-views.js';

export const ERROR_REPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ErrorReportFormat = (typeof ERROR_REPORT_FORMATS)[number];

/**
 * The rows that will not be sent and why, one line per problem, as a file the office opens beside its own sheet
 * (row numbers are the ones Excel shows there).
 */
export async function sendErrorReport(
  res: Response,
  rows: readonly ErrorReportRow[],
  format: ErrorReportFormat,
  locale: Locale,
): Promise<void> {
  const table: TextTable = {
    header: [
      translate(locale, 'campaigns.report.row'),
      translate(locale, 'campaigns.report.address'),
      translate(locale, 'campaigns.report.column'),
      translate(locale, 'campaigns.report.error'),
    ],
    rows: rows.map((row) => [String(row.row), row.address, row.column, row.message]),
  };
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'csv') {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="errori-destinatari.csv"');
    res.send(writeTableCsv(table));
    return;
  }
  res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.setHeader('Content-Disposition', 'attachment; filename="errori-destinatari.xlsx"');
  res.send(await writeTableXlsx(translate(locale, 'campaigns.report.sheet'), table));
}
