import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import type { ActivityEntry } from './activity-entry.entity.js';
import { ACTIVITY_PAGE_MAX, type ActivityFilter } from './activity-filter.js';
import type { ActivityLog } from './activity-log.js';
import { CSV_BOM, csvRow } from './csv.js';

/** The longest text an Excel cell holds. */
const XLSX_CELL_MAX = 32_767;

interface ExportColumn {
  header: MessageKey;
  width: number;
  value(entry: ActivityEntry): string | number | Date;
}

/** Every stored field, so an export can be checked against the chain outside pecflow. */
const COLUMNS: readonly ExportColumn[] = [
  { header: 'activity.col.seq', width: 8, value: (e) => e.seq },
  { header: 'activity.col.atUtc', width: 26, value: (e) => e.at },
  { header: 'activity.col.actor', width: 30, value: (e) => e.actorLabel },
  { header: 'activity.col.action', width: 24, value: (e) => e.action },
  { header: 'activity.col.resourceType', width: 16, value: (e) => e.resourceType ?? '' },
  { header: 'activity.col.resourceId', width: 38, value: (e) => e.resourceId ?? '' },
  { header: 'activity.col.ip', width: 16, value: (e) => e.ip ?? '' },
  { header: 'activity.col.details', width: 50, value: (e) => JSON.stringify(e.details) },
  { header: 'activity.col.prevHash', width: 66, value: (e) => e.prevHash },
  { header: 'activity.col.hash', width: 66, value: (e) => e.hash },
];

/** Every entry the filter matches, newest first, read a page at a time. */
export async function* entriesMatching(log: ActivityLog, filter: ActivityFilter): AsyncGenerator<ActivityEntry> {
  let cursor: number | undefined = undefined;
  do {
    const page = await log.search({ ...filter, limit: ACTIVITY_PAGE_MAX, cursor });
    yield* page.entries;
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
}

/** The CSV file as it is produced: byte order mark and header first, then one record per entry. */
export async function* csvExport(entries: AsyncIterable<ActivityEntry>, locale: Locale): AsyncGenerator<string> {
  yield CSV_BOM + csvRow(COLUMNS.map((column) => translate(locale, column.header)));
  for await (const entry of entries) {
    yield csvRow(
      COLUMNS.map((column) => {
        const value = column.value(entry);
        return value instanceof Date ? value.toISOString() : value;
      }),
    );
  }
}

/** Writes the XLSX file to `out` row by row (exceljs's streaming writer), so a long log never sits in memory. */
export async function xlsxExport(entries: AsyncIterable<ActivityEntry>, locale: Locale, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(translate(locale, 'activity.title'), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((column, index) => ({
    header: translate(locale, column.header),
    key: String(index),
    width: column.width,
    ...(index === 1 ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss.000' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for await (const entry of entries) {
    sheet
      .addRow(
        COLUMNS.map((column) => {
          const value = column.value(entry);
          return typeof value === 'string' && value.length > XLSX_CELL_MAX ? `${value.slice(0, XLSX_CELL_MAX - 1)}…` : value;
        }),
      )
      .commit();
  }
  sheet.commit();
  await workbook.commit();
}
