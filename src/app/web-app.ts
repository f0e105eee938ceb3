import { createRequire } from 'node:module';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { Request, Response } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { PinoLogger } from './logger.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { createViewEngine, PUBLIC_DIR, VIEWS_DIR } from '../web/view-engine.js';

const require = createRequire(import.meta.url);
const HTMX = path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist', 'htmx.min.js');
const BPMN_JS = path.join(path.dirname(require.resolve('bpmn-js/package.json')), 'dist');
/** The diagram viewer of the instance page, served from our own origin (the CSP allows no CDN): only the files it uses. */
const BPMN_JS_FILES: Record<string, string> = {
  'bpmn-navigated-viewer.js': 'bpmn-navigated-viewer.production.min.js',
  'diagram-js.css': 'assets/diagram-js.css',
  'bpmn-js.css': 'assets/bpmn-js.css',
};

/** Express-level setup shared by `main.ts` and the tests, so tests run the app users get. */
export function configureWebApp(app: NestExpressApplication, logger: PinoLogger): INestApplication {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: logger.pino,
      // Paths only (query strings can hold reset tokens) and no headers (cookies, bearer tokens).
      serializers: {
        req: (req: { id: unknown; method: string; url: string; headers: Record<string, string> }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
          host: req.headers.host,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url?.startsWith('/health') === true || req.url?.startsWith('/static') === true },
    }),
  );
  app.use(
    helmet({
      // HSTS only where the site is really served over HTTPS (it is meaningless, and confusing, on http://*.localhost).
      strictTransportSecurity: config.PUBLIC_SCHEME === 'https',
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          // htmx adds its indicator styles inline; swagger-ui does too.
          'style-src': ["'self'", "'unsafe-inline'"],
          'script-src': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use(cookieParser());
  app.engine('hbs', createViewEngine());
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/static/', maxAge: '1h' });
  app.use('/static/htmx.min.js', (_req: Request, res: Response) => res.sendFile(HTMX, { maxAge: '1h' }));
  for (const [name, file] of Object.entries(BPMN_JS_FILES)) {
    app.use(`/static/bpmn-js/${name}`, (_req: Request, res: Response) => res.sendFile(path.join(BPMN_JS, file), { maxAge: '1h' }));
  }

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('pecflow API')
      .setDescription(
        "REST API v1 of a pecflow workspace. Call it on the workspace's own host (https://{slug}.{base-domain}). Errors are RFC 9457 problem+json with a translated title.",
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
