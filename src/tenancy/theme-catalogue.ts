import { Inject, Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { contrastRatio } from './contrast.js';

const colour = z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a colour as #rrggbb');
const assetFile = z.string().regex(/^[\w.-]+\.(svg|png|jpe?g|webp|ico)$/i, 'must be an image file in the theme folder');

const themeSchema = z.strictObject({
  name: z.string().min(1),
  colors: z.strictObject({
    primary: colour,
    onPrimary: colour,
    accent: colour,
    background: colour,
    surface: colour,
    text: colour,
    muted: colour,
  }),
  font: z.strictObject({ family: z.string().min(1) }),
  logo: assetFile,
  loginBackground: assetFile,
  favicon: assetFile,
});

export type ThemeDefinition = z.infer<typeof themeSchema>;

export interface Theme {
  slug: string;
  definition: ThemeDefinition;
  /** `:root { --pf-… }` for this theme: the only per-tenant CSS, app.css uses the variables. */
  css: string;
  /** Asset file name → absolute path; only files the theme names are ever served. */
  assets: Map<string, string>;
}

export class ThemeError extends Error {}

/** AA contrast for normal text (WCAG 2.1, 1.4.3): a theme that would make text unreadable is refused. */
const MIN_CONTRAST = 4.5;

@Injectable()
export class ThemeCatalogue {
  private readonly themes = new Map<string, Promise<Theme>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get(slug: string): Promise<Theme> {
    let theme = this.themes.get(slug);
    if (!theme) {
      theme = this.load(slug);
      theme.catch(() => this.themes.delete(slug));
      this.themes.set(slug, theme);
    }
    return theme;
  }

  private async load(slug: string): Promise<Theme> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(slug)) throw new ThemeError(`theme "${slug}": not a valid theme name`);
    const folder = path.resolve(this.config.THEMES_DIR, slug);
    let raw: unknown;
    try {
      raw = parse(await readFile(path.join(folder, 'theme.yaml'), 'utf8'));
    } catch (error) {
      throw new ThemeError(`theme "${slug}": cannot read ${path.join(folder, 'theme.yaml')} (${(error as Error).message})`);
    }
    const parsed = themeSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new ThemeError(`theme "${slug}": ${problems.join('; ')}`);
    }
    const definition = parsed.data;
    const { colors } = definition;
    for (const [fg, bg] of [
      ['text', 'background'],
      ['text', 'surface'],
      ['onPrimary', 'primary'],
      ['muted', 'surface'],
    ] as const) {
      const ratio = contrastRatio(colors[fg], colors[bg]);
      if (ratio < MIN_CONTRAST) {
        throw new ThemeError(
          `theme "${slug}": colors.${fg} on colors.${bg} has contrast ${ratio.toFixed(2)}, at least ${MIN_CONTRAST} is needed`,
        );
      }
    }
    const assets = new Map<string, string>();
    for (const file of [definition.logo, definition.loginBackground, definition.favicon]) {
      const absolute = path.join(folder, file);
      await readFile(absolute).catch(() => {
        throw new ThemeError(`theme "${slug}": asset ${file} is missing`);
      });
      assets.set(file, absolute);
    }
    return { slug, definition, css: themeCss(definition), assets };
  }
}

function themeCss(theme: ThemeDefinition): string {
  const { colors } = theme;
  const lines = [
    `--pf-primary: ${colors.primary};`,
    `--pf-on-primary: ${colors.onPrimary};`,
    `--pf-accent: ${colors.accent};`,
    `--pf-background: ${colors.background};`,
    `--pf-surface: ${colors.surface};`,
    `--pf-text: ${colors.text};`,
    `--pf-muted: ${colors.muted};`,
    `--pf-font: ${theme.font.family.replace(/[;{}<>]/g, '')};`,
    `--pf-login-background: url("/theme/assets/${theme.loginBackground}");`,
  ];
  return `:root {\n  ${lines.join('\n  ')}\n}\n`;
}
