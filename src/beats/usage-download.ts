import { Injectable, StreamableFile } from '@nestjs/common';
import type { Principal } from '../access/principal.js';
import { ActivityLog } from '../audit/activity-log.js';
import type { Locale } from '../i18n/locale.js';
import { BeatsUsage, type UsageReport } from './beats-usage.js';
import type { UsageQuery } from './usage-query.js';
import { usageFileName, writeUsageCsv, writeUsageXlsx } from './usage-export.js';

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** A usage report as the API and the admin page hand it out: JSON, or a file whose export is in the activity log. */
@Injectable()
export class UsageDownloads {
  constructor(
    private readonly usage: BeatsUsage,
    private readonly activity: ActivityLog,
  ) {}

  async answer(principal: Principal, query: UsageQuery, locale: Locale): Promise<UsageReport | StreamableFile> {
    const report = await this.usage.report(principal, query.period, query.groupBy, locale);
    if (query.format === 'json') return report;
    await this.activity.record({
      action: 'beats.usage-exported',
      actor: { id: principal.userId, email: principal.email },
      details: { format: query.format, groupBy: query.groupBy, ...query.period },
    });
    const body = query.format === 'csv' ? writeUsageCsv(report, locale) : await writeUsageXlsx(report, locale);
    return new StreamableFile(body, {
      type: CONTENT_TYPES[query.format],
      disposition: `attachment; filename="${usageFileName(report, query.format)}"`,
    });
  }
}
