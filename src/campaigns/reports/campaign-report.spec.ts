import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CampaignReport, CampaignReportRow } from './campaign-report.js';
import { writeCampaignReportPdf, winAnsi } from './campaign-report-pdf.js';
import { writeCampaignReportXlsx } from './campaign-report-xlsx.js';

const at = (iso: string) => new Date(iso);

function row(n: number, overrides: Partial<CampaignReportRow> = {}): CampaignReportRow {
  return {
    rowNumber: n,
    address: `destinatario-${n}@pec.example.test`,
    state: 'delivered',
    messageId: `${n.toString(16).padStart(40, '0')}@pec.demo.test`,
    providerId: `opec21.${n}@pec.demo.test`,
    errorCode: null,
    errorText: null,
    queuedAt: at('2026-11-26T08:00:00Z'),
    attemptedAt: at('2026-11-26T08:00:01Z'),
    sentAt: at('2026-11-26T08:00:02Z'),
    acceptedAt: at('2026-11-26T08:00:03Z'),
    deliveredAt: at('2026-11-26T08:00:05Z'),
    warnedAt: null,
    failedAt: null,
    ...overrides,
  };
}

function report(rows: CampaignReportRow[]): CampaignReport {
  return {
    summary: {
      name: 'Avvisi TARI 2026',
      mailbox: 'tributi@pec.demo.test',
      subject: 'Avviso di pagamento {{numero}}',
      status: 'closed',
      createdBy: 'Maria Rossi',
      createdAt: at('2026-11-25T16:30:00Z'),
      startedAt: at('2026-11-26T08:00:00Z'),
      closedAt: at('2026-11-27T08:00:00Z'),
      total: rows.length,
      counts: { delivered: rows.filter((r) => r.state === 'delivered').length, failed: rows.filter((r) => r.state === 'failed').length },
      generatedAt: at('2026-11-27T09:15:00Z'),
    },
    rows: () => asAsync(rows),
  };
}

async function* asAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

async function collect(write: (out: PassThrough) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await write(out);
  return Buffer.concat(chunks);
}

const sample = [
  row(2),
  row(3, {
    state: 'failed',
    address: 'nessuno@pec.acme.test',
    errorCode: 'no-dest',
    errorText: '5.1.1 - indirizzo non valido',
    deliveredAt: null,
    failedAt: at('2026-11-26T08:00:06Z'),
  }),
  row(4, { address: 'città@pec.example.test' }),
];

describe('campaign report as XLSX', () => {
  it('has a summary sheet and one row per recipient with every timestamp in Italian time, state, error code and provider id', async () => {
    const file = await collect((out) => writeCampaignReportXlsx(report(sample), 'it', out));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Riepilogo', 'Destinatari']);

    const summary = workbook.getWorksheet('Riepilogo')!;
    const facts = new Map<string, unknown>();
    summary.eachRow((r) => facts.set(r.getCell(1).text, r.getCell(2).value));
    expect(facts.get('Campagna')).toBe('Avvisi TARI 2026');
    expect(facts.get('Casella PEC mittente')).toBe('tributi@pec.demo.test');
    expect(facts.get('Destinatari')).toBe(3);
    expect(facts.get('Consegnato')).toBe(2);
    expect(facts.get('Non consegnato')).toBe(1);
    // 08:00 UTC on 26 November is 09:00 in Rome.
    expect(facts.get('Avviata il')).toEqual(at('2026-11-26T09:00:00Z'));

    const recipients = workbook.getWorksheet('Destinatari')!;
    expect(recipients.rowCount).toBe(4);
    const header = (recipients.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      'Riga',
      'Indirizzo PEC',
      'Stato',
      'Codice errore',
      'Errore',
      'Identificativo del gestore',
      'Message-ID',
      'In coda (ora italiana)',
      'Tentativo di invio',
      'Inviato',
      'Accettato',
      'Consegnato / esito',
      'Preavviso 12 ore',
      'Non consegnato',
    ]);
    const failed = (recipients.getRow(3).values as unknown[]).slice(1);
    expect(failed.slice(0, 6)).toEqual([
      3,
      'nessuno@pec.acme.test',
      'Non consegnato',
      'no-dest',
      '5.1.1 - indirizzo non valido',
      'opec21.3@pec.demo.test',
    ]);
    expect(failed[10]).toEqual(at('2026-11-26T09:00:03Z'));
    expect(failed[13]).toEqual(at('2026-11-26T09:00:06Z'));
    expect(recipients.getRow(4).getCell(2).value).toBe('città@pec.example.test');
    expect(recipients.getRow(2).getCell(12).numFmt).toBe('dd/mm/yyyy hh:mm:ss');
  });

  it('speaks English when asked', async () => {
    const file = await collect((out) => writeCampaignReportXlsx(report(sample), 'en', out));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Summary', 'Recipients']);
    expect(workbook.getWorksheet('Recipients')!.getRow(3).getCell(3).value).toBe('Not delivered');
  });
});

describe('campaign report as PDF', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pecflow-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The PDF's text as poppler's pdftotext reads it (Debian's poppler-utils, installed by scripts/services.sh). */
  const textOf = (pdf: Buffer) => {
    const path = join(dir, 'report.pdf');
    writeFileSync(path, pdf);
    execFileSync('pdftotext', ['-layout', path, join(dir, 'report.txt')]);
    return {
      text: readFileSync(join(dir, 'report.txt'), 'utf8'),
      pages: Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))![1]),
    };
  };

  it('gives the summary, what each receipt proves and every recipient’s outcome', async () => {
    const pdf = await collect((out) => writeCampaignReportPdf(report(sample), 'it', out));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text } = textOf(pdf);
    expect(text).toContain('Rapporto della campagna PEC');
    expect(text).toContain('Generato il 27/11/2026 10:15:00 (ora italiana)');
    expect(text).toContain('Campagna: Avvisi TARI 2026');
    expect(text).toMatch(/Destinatari per stato\s+Consegnato: 2\s+Non consegnato: 1/);
    expect(text).toContain('Ricevuta di avvenuta consegna');
    expect(text).toMatch(/Fa fede\s+della consegna/);
    expect(text).toMatch(/codice 5\.4\.1/);
    expect(text).toMatch(/nessuno@pec\.acme\.test\s+Non consegnato\s+26\/11\/2026 09:00:03\s+26\/11\/2026 09:00:06\s+no-dest - 5\.1\.1/);
    expect(text).toContain('città@pec.example.test');
  });

  it('runs over as many pages as the recipients need, with the column headings on each', async () => {
    const many = Array.from({ length: 200 }, (_, n) => row(n + 2));
    const { text, pages } = textOf(await collect((out) => writeCampaignReportPdf(report(many), 'en', out)));
    expect(pages).toBeGreaterThan(4);
    expect(text.match(/PEC address/g)!.length).toBe(pages - 1);
    expect(text).toContain('destinatario-201@pec.example.test');
  });

  it('prints what the standard fonts cannot show as ? rather than as a wrong glyph', () => {
    expect(winAnsi('Città € “ok” Привет 😀')).toBe('Città € “ok” ?????? ?');
  });
});
