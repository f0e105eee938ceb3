import type { Locale } from './locale.js';
import { en } from './messages.en.js';
import { it, type MessageKey } from './messages.it.js';

const catalogues: Record<Locale, Record<MessageKey, string>> = { it, en };

export type { MessageKey };

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(it, key);
}

/** The message in the locale, with `{name}` placeholders filled from params. */
export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  return catalogues[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
