import { loadConfig } from '../config/load-config.js';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(loadConfig({ DATA_ENCRYPTION_KEY: 'k'.repeat(40) }));

  it('opens what it sealed, and only in the same context', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'user-2')).toThrow();
  });

  it('refuses a tampered value and one sealed with another key', () => {
    const sealed = box.seal('segreto', 'c');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('altro').toString('base64url');
    expect(() => box.open(parts.join('.'), 'c')).toThrow();
    const other = new SecretBox(loadConfig({ DATA_ENCRYPTION_KEY: 'z'.repeat(40) }));
    expect(() => other.open(sealed, 'c')).toThrow();
  });
});
