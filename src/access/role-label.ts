import type { Locale } from '../i18n/locale.js';
import { isMessageKey, translate } from '../i18n/translate.js';

/** Built-in roles speak the user's language; roles a workspace made up keep the name it gave them. */
export function roleLabel(locale: Locale, role: { key: string; name?: string }): string {
  const key = `role.${role.key}`;
  return isMessageKey(key) ? translate(locale, key) : (role.name ?? role.key);
}
