import type { PecResult } from '../pec-result.js';
import { startsIntake } from './intake-starts.js';

const parsed = (kind: PecResult['kind'], extra: Partial<PecResult> = {}) => ({ kind, bounce: undefined, rem: undefined, ...extra });

describe('which incoming mail starts the intake process', () => {
  it('starts for a busta di trasporto, an anomalia that is not a bounce, and mail without PEC markers', () => {
    expect(startsIntake(parsed('posta-certificata'))).toBe(true);
    expect(startsIntake(parsed('anomalia'))).toBe(true);
    expect(startsIntake(parsed('not-pec'))).toBe(true);
  });

  it('leaves receipts and bounces to the correlator', () => {
    for (const kind of ['accettazione', 'avvenuta-consegna', 'errore-consegna', 'presa-in-carico', 'rilevazione-virus'] as const)
      expect(startsIntake(parsed(kind))).toBe(false);
    expect(startsIntake(parsed('anomalia', { bounce: {} as PecResult['bounce'] }))).toBe(false);
  });

  it('reads a REM message by its PEC meaning', () => {
    const rem = (pecKind: string | null) => ({ pecKind }) as PecResult['rem'];
    expect(startsIntake(parsed('rem', { rem: rem('posta-certificata') }))).toBe(true);
    expect(startsIntake(parsed('rem', { rem: rem('avvenuta-consegna') }))).toBe(false);
    expect(startsIntake(parsed('rem', { rem: rem(null) }))).toBe(false);
  });
});
