import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { resolveLocale, type Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { BeatsExhausted } from '../beats/beats-exhausted.js';
import { UnknownTenantException } from '../tenancy/tenant-resolver.middleware.js';
import { ProblemException, problemTitleKey, problemTypeUri, type ProblemType } from './problem.js';

function typeForStatus(status: number): ProblemType {
  switch (status) {
    case 400:
    case 422:
      return 'validation';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 409:
      return 'conflict';
    case 413:
      return 'too-large';
    case 404:
      return 'not-found';
    case 503:
      return 'unavailable';
    default:
      return 'internal';
  }
}

/** Whatever chargeable operation ran out of beats, the client gets one 402 with the figures. */
function paymentRequired(error: BeatsExhausted, req: Request): ProblemException {
  const locale: Locale = req.locale ?? resolveLocale(null, req.headers['accept-language'], 'it');
  const detail = translate(locale, 'beats.exhausted.detail', {
    needed: error.needed,
    available: error.available,
    shortfall: error.shortfall,
  });
  return new ProblemException(402, 'beats-exhausted', detail, { balance: error.available, shortfall: error.shortfall });
}

/**
 * Every error leaves as an RFC 9457 problem (API, or a client asking for JSON) or as a page in the
 * user's language; internals never reach the client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(thrown: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const exception = thrown instanceof BeatsExhausted ? paymentRequired(thrown, req) : thrown;
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const type: ProblemType =
      exception instanceof ProblemException
        ? exception.problemType
        : exception instanceof UnknownTenantException
          ? 'unknown-tenant'
          : typeForStatus(status);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    const locale: Locale = req.locale ?? resolveLocale(null, req.headers['accept-language'], 'it');
    const title = translate(locale, problemTitleKey(type));
    const detail = exception instanceof ProblemException ? exception.detail : undefined;
    if (exception instanceof ProblemException && exception.extras.retryAfterSeconds) {
      res.setHeader('Retry-After', String(exception.extras.retryAfterSeconds));
    }

    // originalUrl, not path: inside middleware Express strips the mount point from req.path.
    if (req.originalUrl.startsWith('/api/') || !req.accepts('html')) {
      res
        .status(status)
        .type('application/problem+json')
        .send(
          JSON.stringify({
            type: problemTypeUri(type),
            title,
            status,
            ...(detail ? { detail } : {}),
            instance: req.originalUrl,
            ...(exception instanceof ProblemException ? exception.extras : {}),
          }),
        );
      return;
    }
    // Pages: sign-in and the forced password change are places to go, not errors to show.
    if (status === 401) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (type === 'password-change-required') {
      res.redirect(303, '/password/change');
      return;
    }
    if (type === 'second-factor-required') {
      res.redirect(303, '/profile/two-step');
      return;
    }
    // Pages: an unknown workspace gets the neutral Italian page whatever the browser says.
    const pageLocale: Locale = type === 'unknown-tenant' ? 'it' : locale;
    const known = type !== 'unknown-tenant' ? { tenant: req.tenant } : {};
    if (status === 404) {
      const message = translate(pageLocale, type === 'unknown-tenant' ? 'notFound.tenant' : 'notFound.page');
      res
        .status(404)
        .render('not-found', { ...res.locals, ...known, locale: pageLocale, title: translate(pageLocale, 'notFound.title'), message });
      return;
    }
    res.status(status).render('error', {
      ...res.locals,
      ...known,
      locale: pageLocale,
      status,
      title,
      heading: title,
      message: detail ?? translate(pageLocale, 'error.retry'),
    });
  }
}
