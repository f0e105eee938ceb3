import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Locale } from '../../i18n/locale.js';
import { translate, type MessageKey } from '../../i18n/translate.js';
import type { CampaignReport, CampaignReportRow } from './campaign-report.js';
import { stateLabel } from './receipt-meanings.js';
import { romeWallClock } from '../../i18n/rome-time.js';

const DATE_FORMAT = 'dd/mm/yyyy hh:mm:ss';

interface RowColumn {
  header: MessageKey;
  width: number;
  value(row: CampaignReportRow, locale: Locale): string | number | Date | null;
}

const time = (pick: (row: CampaignReportRow) => Date | null) => (row: CampaignReportRow) => {
  const at = pick(row);
  return at ? romeWallClock(at) : null;
};

/** One column per fact the issue asks for: every timestamp, the state, the error code and the provider's id. */
const COLUMNS: readonly RowColumn[] = [
  { header: 'campaignReport.col.row', width: 8, value: (r) => r.rowNumber },
  { header: 'campaignReport.col.address', width: 36, value: (r) => r.address },
  { header: 'campaignReport.col.state', width: 24, value: (r, locale) => stateLabel(locale, r.state) },
  { header: 'campaignReport.col.errorCode', width: 14, value: (r) => r.errorCode },
  { header: 'campaignReport.col.errorText', width: 48, value: (r) => r.errorText },
  { header: 'campaignReport.col.providerId', width: 44, value: (r) => r.providerId },
  { header: 'campaignReport.col.messageId', width: 50, value: (r) => r.messageId },
  { header: 'campaignReport.col.queuedAt', width: 20, value: time((r) => r.queuedAt) },
  { header: 'campaignReport.col.attemptedAt', width: 20, value: time((r) => r.attemptedAt) },
  { header: 'campaignReport.col.sentAt', width: 20, value: time((r) => r.sentAt) },
  { header: 'campaignReport.col.acceptedAt', width: 20, value: time((r) => r.acceptedAt) },
  { header: 'campaignReport.col.deliveredAt', width: 20, value: time((r) => r.deliveredAt) },
  { header: 'campaignReport.col.warnedAt', width: 20, value: time((r) => r.warnedAt) },
  { header: 'campaignReport.col.failedAt', width: 20, value: time((r) => r.failedAt) },
];

/**
 * The campaign report as XLSX, written to `out` as it is produced (exceljs's streaming writer): a
 * summary sheet, then one row per recipient. Times are Rome's wall clock (see rome-time.ts).
 */
export async function writeCampaignReportXlsx(report: CampaignReport, locale: Locale, out: Writable): Promise<void> {
  const t = (key: MessageKey) => translate(locale, key);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'pecflow';
  const { summary } = report;

  const overview = workbook.addWorksheet(t('campaignReport.sheet.summary'));
  overview.columns = [{ width: 34 }, { width: 48 }];
  const facts: [MessageKey, string | number | Date | null][] = [
    ['campaignReport.field.name', summary.name],
    ['campaignReport.field.mailbox', summary.mailbox],
    ['campaignReport.field.subject', summary.subject],
    ['campaignReport.field.status', summary.status],
    ['campaignReport.field.createdBy', summary.createdBy],
    ['campaignReport.field.createdAt', romeWallClock(summary.createdAt)],
    ['campaignReport.field.startedAt', summary.startedAt ? romeWallClock(summary.startedAt) : null],
    ['campaignReport.field.closedAt', summary.closedAt ? romeWallClock(summary.closedAt) : null],
    ['campaignReport.field.generatedAt', romeWallClock(summary.generatedAt)],
    ['campaignReport.field.total', summary.total],
  ];
  for (const [label, value] of facts) addFact(overview, t(label), value);
  overview.addRow([]).commit();
  const heading = overview.addRow([t('campaignReport.section.counts')]);
  heading.font = { bold: true };
  heading.commit();
  for (const [state, count] of Object.entries(summary.counts)) addFact(overview, stateLabel(locale, state), count);
  overview.commit();

  const sheet = workbook.addWorksheet(t('campaignReport.sheet.recipients'), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((column, index) => ({
    header: t(column.header),
    key: String(index),
    width: column.width,
    ...(index >= 7 ? { style: { numFmt: DATE_FORMAT } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for await (const row of report.rows()) sheet.addRow(COLUMNS.map((column) => column.value(row, locale))).commit();
  sheet.commit();
  await workbook.commit();
}

function addFact(sheet: ExcelJS.Worksheet, label: string, value: string | number | Date | null): void {
  const row = sheet.addRow([label, value]);
  row.getCell(1).font = { bold: true };
  if (value instanceof Date) row.getCell(2).numFmt = DATE_FORMAT;
  row.commit();
}
