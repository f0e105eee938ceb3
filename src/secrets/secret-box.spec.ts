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

  it('seals bytes: the plaintext is not in the output, and a tampered or moved value does not open', () => {
    const plain = Buffer.from('%PDF-1.7 contenuto riservato');
    const sealed = box.sealBytes(plain, 'attachment-1');
    expect(sealed.includes(plain)).toBe(false);
    expect(box.openBytes(sealed, 'attachment-1').equals(plain)).toBe(true);
    expect(() => box.openBytes(sealed, 'attachment-2')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.openBytes(tampered, 'attachment-1')).toThrow();
  });
});
