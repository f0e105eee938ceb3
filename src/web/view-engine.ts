import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { isLocale, type Locale } from '../i18n/locale.js';
import { isMessageKey, translate } from '../i18n/translate.js';

export const VIEWS_DIR = fileURLToPath(new URL('./views', import.meta.url));
export const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

type Render = (file: string, options: Record<string, unknown>, callback: (error: Error | null, html?: string) => void) => void;

/**
 * An Express view engine: Handlebars pages wrapped in layouts/main.hbs, partials from partials/,
 * and a `t` helper that translates into the request's locale (res.locals.locale).
 */
export function createViewEngine(): Render {
  const hbs = Handlebars.create();
  const partialsDir = path.join(VIEWS_DIR, 'partials');
  for (const file of readdirSync(partialsDir)) {
    if (file.endsWith('.hbs')) hbs.registerPartial(file.slice(0, -4), readFileSync(path.join(partialsDir, file), 'utf8'));
  }
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const root = (options.data as { root?: { locale?: unknown } } | undefined)?.root;
    const locale: Locale = isLocale(root?.locale) ? root.locale : 'it';
    if (!isMessageKey(key)) throw new Error(`unknown message key ${key}`);
    return translate(locale, key, options.hash as Record<string, string>);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('or', (a: unknown, b: unknown) => Boolean(a) || Boolean(b));
  hbs.registerHelper('and', (a: unknown, b: unknown) => Boolean(a) && Boolean(b));
  hbs.registerHelper('concat', (...parts: unknown[]) => parts.slice(0, -1).join(''));

  const layout = hbs.compile(readFileSync(path.join(VIEWS_DIR, 'layouts', 'main.hbs'), 'utf8'));
  const pages = new Map<string, Handlebars.TemplateDelegate>();
  return (file, options, callback) => {
    try {
      let page = pages.get(file);
      if (!page) {
        page = hbs.compile(readFileSync(file, 'utf8'));
        pages.set(file, page);
      }
      callback(null, layout({ ...options, body: page(options) }));
    } catch (error) {
      callback(error as Error);
    }
  };
}
