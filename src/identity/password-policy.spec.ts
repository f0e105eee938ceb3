import { checkPassword } from './password-policy.js';

const keys = (password: string, previous?: string): string[] =>
  checkPassword(password, 'mario.rossi@demo.test', previous).map((v) => v.key);

describe('password policy', () => {
  it('accepts a long passphrase', () => {
    expect(keys('cavallo batteria graffetta')).toEqual([]);
  });

  it('refuses short, common, e-mail-based and unchanged passwords', () => {
    expect(keys('breve')).toContain('password.policy.tooShort');
    expect(keys('Password1234')).toContain('password.policy.common');
    expect(keys('zzzzzzzzzzzzzzzz')).toContain('password.policy.common');
    expect(keys('mario.rossi-2026!')).toContain('password.policy.containsEmail');
    expect(keys('cavallo batteria graffetta', 'cavallo batteria graffetta')).toContain('password.policy.sameAsOld');
  });
});
