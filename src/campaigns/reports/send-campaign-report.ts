import type { Response } from 'express';
import type { Locale } from '../../i18n/locale.js';
import type { CampaignReport } from './campaign-report.js';
import { writeCampaignReportPdf } from './campaign-report-pdf.js';
import { writeCampaignReportXlsx } from './campaign-report-xlsx.js';

export const REPORT_FORMATS = ['xlsx', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** Streams the report as a download named after the campaign (`rapporto-<name>.<format>`). */
export async function sendCampaignReport(
  res: Response,
  name: string,
  report: CampaignReport,
  format: ReportFormat,
  locale: Locale,
): Promise<void> {
  const base =
    name
      .replace(/[^\p{L}\p{N}._-]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'campagna';
  // res.attachment encodes the name (RFC 6266 filename*, ASCII fallback), as sendAttachment does.
  res.attachment(`rapporto-${base}.${format}`);
  res.set({ 'Content-Type': CONTENT_TYPES[format], 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' });
  if (format === 'xlsx') await writeCampaignReportXlsx(report, locale, res);
  else await writeCampaignReportPdf(report, locale, res);
}
