import { en } from './messages.en.js';
import { it as italian } from './messages.it.js';
import { translate } from './translate.js';

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
});
