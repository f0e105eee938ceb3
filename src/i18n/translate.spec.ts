import { readdirSync } from 'node:fs';

import { en } from './messages.en.js';
import { it as italian } from './messages.it.js';
import { translate } from './translate.js';

const catalogueFiles = readdirSync(new URL('./catalogues/', import.meta.url)).filter((name) => name.endsWith('.it.ts'));

describe('translate', () => {
  it('fills placeholders in the chosen language', () => {
    expect(translate('it', 'login.heading', { tenant: 'Acme' })).toBe('Accedi a Acme');
    expect(translate('en', 'login.heading', { tenant: 'Acme' })).toBe('Sign in to Acme');
  });

  it('has every Italian message translated to English and the same placeholders', () => {
    for (const [key, text] of Object.entries(italian)) {
      const english = en[key as keyof typeof en];
      expect(english).toBeTruthy();
      const names = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
      expect(names(english)).toEqual(names(text));
    }
  });

  it('keeps each key in one domain catalogue, so a later file cannot silently replace a message', async () => {
    const seen = new Map<string, string>();
    for (const file of catalogueFiles) {
      const module = (await import(`./catalogues/${file.replace(/\.ts$/, '.js')}`)) as Record<string, Record<string, string>>;
      for (const key of Object.keys(Object.values(module)[0] ?? {})) {
        expect(`${key} in ${seen.get(key) ?? file}`).toBe(`${key} in ${file}`);
        seen.set(key, file);
      }
    }
    expect(seen.size).toBe(Object.keys(italian).length);
  });
});
