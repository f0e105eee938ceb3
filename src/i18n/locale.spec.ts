import { fromAcceptLanguage, resolveLocale } from './locale.js';

describe('locale resolution', () => {
  it('ranks Accept-Language by quality and skips unsupported languages', () => {
    expect(fromAcceptLanguage('de-DE,en;q=0.8,it;q=0.9')).toBe('it');
    expect(fromAcceptLanguage('en-GB,en;q=0.9')).toBe('en');
    expect(fromAcceptLanguage('fr, de')).toBeUndefined();
    expect(fromAcceptLanguage('en;q=0, it;q=0.1')).toBe('it');
  });

  it('prefers the user, then the browser, then the tenant', () => {
    expect(resolveLocale('en', 'it', 'it')).toBe('en');
    expect(resolveLocale(null, 'en-US', 'it')).toBe('en');
    expect(resolveLocale(undefined, undefined, 'it')).toBe('it');
  });
});
