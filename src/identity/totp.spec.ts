import { base32Decode, base32Encode, hotp, otpauthUri, totpStep, verifyTotp } from './totp.js';

// RFC 6238 appendix B: the SHA-1 secret is the ASCII "12345678901234567890", codes are 8 digits there;
// the 6-digit values are the last six digits of the same HOTP truncation.
const RFC_SECRET = Buffer.from('12345678901234567890');

describe('TOTP (RFC 4226 / RFC 6238)', () => {
  it('matches the RFC 4226 HOTP test values', () => {
    expect([0, 1, 2, 3, 9].map((c) => hotp(RFC_SECRET, c))).toEqual(['755224', '287082', '359152', '969429', '520489']);
  });

  it('matches the RFC 6238 time test values (6 digits)', () => {
    expect(hotp(RFC_SECRET, totpStep(59_000))).toBe('287082');
    expect(hotp(RFC_SECRET, totpStep(1_111_111_109_000))).toBe('081804');
    expect(hotp(RFC_SECRET, totpStep(2_000_000_000_000))).toBe('279037');
  });

  it('round-trips base32 and accepts a code once, within one step of drift', () => {
    const secret = base32Encode(RFC_SECRET);
    expect(base32Decode(secret)).toEqual(RFC_SECRET);
    const at = 1_111_111_109_000;
    const step = verifyTotp(secret, '081804', at, null);
    expect(step).toBe(totpStep(at));
    expect(verifyTotp(secret, '081804', at, step)).toBeNull();
    expect(verifyTotp(secret, '081804', at + 30_000, null)).toBe(step);
    expect(verifyTotp(secret, '081804', at + 90_000, null)).toBeNull();
    expect(verifyTotp(secret, '12345', at, null)).toBeNull();
  });

  it('builds the otpauth address apps scan', () => {
    expect(otpauthUri('Comune di Demo', 'a@demo.test', 'ABC')).toBe(
      'otpauth://totp/Comune%20di%20Demo%3Aa%40demo.test?secret=ABC&issuer=Comune%20di%20Demo&algorithm=SHA1&digits=6&period=30',
    );
  });
});
