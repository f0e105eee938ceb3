import type { Locale } from '../i18n/locale.js';
import { isMessageKey, translate } from '../i18n/translate.js';
import type { CostPreview } from './beats-preview.js';
import { formatBeats } from './low-balance.js';

/** How a page keeps the preview current: htmx asks `url` again, with the `include`d fields, on `trigger`. */
export interface PreviewRefresh {
  url: string;
  trigger: string;
  include: string;
}

/**
 * The model of the `beats-preview` partial, shown before a chargeable action. A page includes
 * `{{> beats-preview beatsPreview}}` inside its form and answers `refresh.url` with the same page
 * (htmx takes only #beats-preview-text from it): see docs/decisions/0023-beats-visibility.md.
 */
export function previewView(locale: Locale, preview: CostPreview, refresh?: PreviewRefresh) {
  const whatKey = `beats.preview.what.${preview.plug}`;
  const what = translate(locale, isMessageKey(whatKey) ? whatKey : 'beats.preview.what.default');
  const params = {
    what,
    beats: formatBeats(preview.beats, locale),
    after: formatBeats(preview.after, locale),
    available: formatBeats(preview.available, locale),
  };
  return {
    enough: preview.enough,
    text: translate(locale, preview.enough ? 'beats.preview.enough' : 'beats.preview.short', params),
    refresh,
  };
}
