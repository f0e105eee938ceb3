import type { MessageKey } from '../i18n/translate.js';

export interface PolicyViolation {
  key: MessageKey;
  params?: Record<string, number>;
}

/** The platform default; a workspace's policy may ask for more (or, down to 8, less). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** A short list of the passwords people pick most; NIST SP 800-63B asks to refuse known-bad ones. */
const COMMON = new Set([
  'password1234',
  'passwordpassword',
  '123456789012',
  'qwertyuiop12',
  'qwertyuiopas',
  'amministratore',
  'password2024!',
  'password2025!',
  'password2026!',
  'benvenuto123',
  'benvenuto2026',
  'pecflowpecflow',
  'cambiami12345',
  'changeme1234',
  'iloveyou1234',
  'abcdefghijkl',
  'aaaaaaaaaaaa',
  '111111111111',
]);

/**
 * Length over composition rules (NIST SP 800-63B §5.1.1): a long passphrase is accepted whatever its
 * characters; known-common passwords and ones built on the user's e-mail are refused.
 */
export function checkPassword(password: string, email: string, previous?: string, minLength = PASSWORD_MIN_LENGTH): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  if ([...password].length < minLength) violations.push({ key: 'password.policy.tooShort', params: { min: minLength } });
  if ([...password].length > PASSWORD_MAX_LENGTH) violations.push({ key: 'password.policy.tooLong', params: { max: PASSWORD_MAX_LENGTH } });
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) violations.push({ key: 'password.policy.common' });
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (local.length >= 3 && lower.includes(local)) violations.push({ key: 'password.policy.containsEmail' });
  if (previous !== undefined && previous === password) violations.push({ key: 'password.policy.sameAsOld' });
  return violations;
}
