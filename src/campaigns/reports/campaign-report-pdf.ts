import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import type { Locale } from '../../i18n/locale.js';
import { translate, type MessageKey } from '../../i18n/translate.js';
import type { CampaignReport, CampaignReportRow } from './campaign-report.js';
import { RECEIPT_MEANINGS, stateLabel } from './receipt-meanings.js';
import { romeText } from '../../i18n/rome-time.js';

const MARGIN = 40;
const LINE = 13;
const TEXT_SIZE = 9;

interface PdfColumn {
  header: MessageKey;
  width: number;
  value(row: CampaignReportRow, locale: Locale): string;
}

const at = (date: Date | null) => (date ? romeText(date) : '');

/** A4 landscape: 762 points between the margins. */
const COLUMNS: readonly PdfColumn[] = [
  { header: 'campaignReport.col.row', width: 40, value: (r) => String(r.rowNumber) },
  { header: 'campaignReport.col.address', width: 200, value: (r) => r.address },
  { header: 'campaignReport.col.state', width: 110, value: (r, locale) => stateLabel(locale, r.state) },
  { header: 'campaignReport.col.acceptedAt', width: 100, value: (r) => at(r.acceptedAt) },
  { header: 'campaignReport.col.deliveredAt', width: 100, value: (r) => at(r.deliveredAt ?? r.failedAt) },
  { header: 'campaignReport.col.errorText', width: 212, value: (r) => [r.errorCode, r.errorText].filter(Boolean).join(' - ') },
];

/**
 * The evidence report as PDF (pdfkit, pure JavaScript): the summary, what each receipt proves, and
 * each recipient's outcome, streamed to `out` page by page. It summarises; the signed receipts in
 * the receipts archive are the evidence, and the report says so.
 */
export async function writeCampaignReportPdf(report: CampaignReport, locale: Locale, out: Writable): Promise<void> {
  const t = (key: MessageKey, params?: Record<string, string | number>) => winAnsi(translate(locale, key, params));
  const { summary } = report;
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: { Title: winAnsi(`${translate(locale, 'campaignReport.title')} - ${summary.name}`), Creator: 'pecflow' },
  });
  doc.pipe(out);
  const done = finished(out);
  const width = doc.page.width - 2 * MARGIN;

  doc.font('Helvetica-Bold').fontSize(16).text(t('campaignReport.title'));
  doc
    .font('Helvetica')
    .fontSize(TEXT_SIZE)
    .text(t('campaignReport.generatedAt', { at: romeText(summary.generatedAt) }));
  doc.moveDown();
  const facts: [MessageKey, string][] = [
    ['campaignReport.field.name', summary.name],
    ['campaignReport.field.mailbox', summary.mailbox],
    ['campaignReport.field.subject', summary.subject],
    ['campaignReport.field.status', summary.status],
    ['campaignReport.field.createdBy', summary.createdBy ?? ''],
    ['campaignReport.field.createdAt', romeText(summary.createdAt)],
    ['campaignReport.field.startedAt', summary.startedAt ? romeText(summary.startedAt) : ''],
    ['campaignReport.field.closedAt', summary.closedAt ? romeText(summary.closedAt) : ''],
    ['campaignReport.field.total', String(summary.total)],
  ];
  const fact = (label: string, value: string) =>
    doc
      .font('Helvetica-Bold')
      .text(`${winAnsi(label)}: `, { continued: true })
      .font('Helvetica')
      .text(winAnsi(value));
  for (const [label, value] of facts) fact(translate(locale, label), value);
  doc.moveDown(0.5).font('Helvetica-Bold').text(t('campaignReport.section.counts'));
  for (const [state, count] of Object.entries(summary.counts)) fact(stateLabel(locale, state), String(count));

  doc.moveDown().font('Helvetica-Bold').fontSize(12).text(t('campaignReport.section.meanings'));
  doc.fontSize(TEXT_SIZE);
  for (const { receipt, meaning } of RECEIPT_MEANINGS) {
    doc.font('Helvetica-Bold').text(t(receipt), { width }).font('Helvetica').text(t(meaning), { width }).moveDown(0.4);
  }
  doc.font('Helvetica-Oblique').text(t('campaignReport.evidenceNote'), { width });

  doc.addPage();
  doc.font('Helvetica-Bold').fontSize(12).text(t('campaignReport.section.recipients'));
  doc.fontSize(TEXT_SIZE);
  let y = tableHeader(doc, locale, doc.y + 4);
  for await (const row of report.rows()) {
    if (y + LINE > doc.page.height - MARGIN) {
      doc.addPage();
      y = tableHeader(doc, locale, MARGIN);
    }
    drawRow(
      doc,
      y,
      COLUMNS.map((column) => column.value(row, locale)),
      'Helvetica',
    );
    y += LINE;
  }
  doc.end();
  await done;
}

function tableHeader(doc: PDFKit.PDFDocument, locale: Locale, y: number): number {
  drawRow(
    doc,
    y,
    COLUMNS.map((column) => translate(locale, column.header)),
    'Helvetica-Bold',
  );
  doc
    .moveTo(MARGIN, y + LINE - 2)
    .lineTo(doc.page.width - MARGIN, y + LINE - 2)
    .stroke();
  return y + LINE + 2;
}

/** One line per row: a cell too long for its column is cut with an ellipsis, so rows stay aligned. */
function drawRow(doc: PDFKit.PDFDocument, y: number, cells: string[], font: string): void {
  doc.font(font);
  let x = MARGIN;
  cells.forEach((cell, index) => {
    const width = COLUMNS[index]!.width - 4;
    doc.text(winAnsi(cell), x, y, { width, height: LINE, lineBreak: false, ellipsis: true });
    x += COLUMNS[index]!.width;
  });
}

/** The characters of WinAnsiEncoding beyond Latin-1: what the PDF standard fonts can show. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * The standard PDF fonts only have WinAnsi glyphs: Italian text fits, but a character outside it
 * (an address in Cyrillic, an emoji in a subject) would print as a wrong glyph, so it becomes `?`.
 */
export function winAnsi(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char) ? char : '?';
  }
  return out;
}
