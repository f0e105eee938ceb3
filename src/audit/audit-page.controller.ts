import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { parseBody } from '../api/zod-body.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { RequireAccess } from '../access/require-access.js';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import { csvExport, entriesMatching, xlsxExport } from './activity-export.js';
import { activityQuery, filterQueryString, toFilter, withoutBlanks, type ActivityQuery } from './activity-filter.js';
import { ActivityLog } from './activity-log.js';
import { toActivityRow } from './activity-rows.js';

type ExportFormat = 'csv' | 'xlsx';

/** The label of each filter, to name the wrong ones in the page's error message. */
const FILTER_LABELS: Record<string, MessageKey> = {
  actor: 'activity.filter.actor',
  action: 'activity.filter.action',
  resourceType: 'activity.filter.resourceType',
  resourceId: 'activity.filter.resourceId',
  from: 'activity.filter.from',
  to: 'activity.filter.to',
};

@ApiExcludeController()
@Controller('admin/audit')
@UseGuards(SignedInGuard)
@RequireAccess('audit-entry', 'see')
export class AuditPageController {
  constructor(private readonly log: ActivityLog) {}

  @Get()
  async page(@Req() req: Request, @Res() res: Response, @Query() raw: unknown): Promise<void> {
    const locale = req.locale!;
    const title = translate(locale, 'activity.title');
    const parsed = activityQuery.safeParse(withoutBlanks(raw));
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))];
      const names = fields.map((field) => (FILTER_LABELS[field] ? translate(locale, FILTER_LABELS[field]) : field)).join(', ');
      res
        .status(400)
        .render('audit', { title, query: withoutBlanks(raw), errors: [translate(locale, 'activity.invalidFilters', { fields: names })] });
      return;
    }
    const query = parsed.data;
    const page = await this.log.search(toFilter(query));
    const href = (path: string, extra?: Record<string, string>): string => {
      const search = filterQueryString(query, extra);
      return search ? `${path}?${search}` : path;
    };
    res.render('audit', {
      title,
      query,
      rows: page.entries.map((entry) => toActivityRow(entry, locale)),
      csvHref: href('/admin/audit/export.csv'),
      xlsxHref: href('/admin/audit/export.xlsx'),
      olderHref: page.next === null ? undefined : href('/admin/audit', { cursor: String(page.next) }),
      newestHref: query.cursor === undefined ? undefined : href('/admin/audit'),
    });
  }

  @Get('export.csv')
  async exportCsv(@Req() req: Request, @Res() res: Response, @Query() raw: unknown): Promise<void> {
    const query = await this.startExport(req, res, raw, 'csv');
    await pipeline(Readable.from(csvExport(entriesMatching(this.log, toFilter(query)), req.locale!)), res);
  }

  @Get('export.xlsx')
  async exportXlsx(@Req() req: Request, @Res() res: Response, @Query() raw: unknown): Promise<void> {
    const query = await this.startExport(req, res, raw, 'xlsx');
    // The headers are gone by now: on a failure all that is left is to cut the download short.
    await xlsxExport(entriesMatching(this.log, toFilter(query)), req.locale!, res).catch((error: unknown) => {
      res.destroy();
      throw error;
    });
  }

  /**
   * Checks the filters (a bad one is a 400, not an empty file), records who took a copy of the log
   * and with which filters, and sets the download headers. Exports are a security-relevant act.
   */
  private async startExport(req: Request, res: Response, raw: unknown, format: ExportFormat): Promise<ActivityQuery> {
    const query = parseBody(activityQuery, withoutBlanks(raw));
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    const user = req.user!;
    await this.log.record({
      action: 'audit.exported',
      actor: { id: user.id, email: user.email },
      details: { format, filters },
      ...(req.ip ? { ip: req.ip } : {}),
    });
    res.attachment(exportName(req.locale!, req.tenant!.slug, format));
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') res.type('text/csv; charset=utf-8');
    return query;
  }
}

function exportName(locale: Locale, slug: string, format: ExportFormat): string {
  return `${translate(locale, 'activity.export.filename')}-${slug}-${new Date().toISOString().slice(0, 10)}.${format}`;
}
