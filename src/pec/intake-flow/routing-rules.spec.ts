import { firstMatch, pecIntakeSectionSchema, regexProblem, ruleMatches, type RoutingRule } from './routing-rules.js';

const message = { mailboxAddress: 'protocollo@pec.ente.it', sender: 'uffici@pec.fornitore.it', subject: 'Fattura n. 12 del 2026' };
const rule = (fields: Partial<RoutingRule>): RoutingRule => ({ name: 'r', office: 'Ragioneria', ...fields });

describe('PEC routing rules', () => {
  it('matches a sender address or a pattern with *, case-insensitively', () => {
    expect(ruleMatches(rule({ sender: 'uffici@pec.fornitore.it' }), message)).toBe(true);
    expect(ruleMatches(rule({ sender: '*@pec.fornitore.it' }), { ...message, sender: 'UFFICI@PEC.FORNITORE.IT' })).toBe(true);
    expect(ruleMatches(rule({ sender: '*@fornitore.it' }), message)).toBe(false);
    // A dot in a pattern is a dot, not "any character".
    expect(ruleMatches(rule({ sender: '*@pec.fornitore.it' }), { ...message, sender: 'x@pecXfornitore.it' })).toBe(false);
  });

  it('matches subjects by text or by a restricted pattern, and every condition of a rule must hold', () => {
    expect(ruleMatches(rule({ subjectContains: 'FATTURA' }), message)).toBe(true);
    expect(ruleMatches(rule({ subjectMatches: '^fattura n\\. \\d+' }), message)).toBe(true);
    expect(ruleMatches(rule({ subjectContains: 'fattura', mailbox: 'altro@pec.ente.it' }), message)).toBe(false);
    expect(ruleMatches(rule({ subjectContains: 'fattura', mailbox: 'PROTOCOLLO@pec.ente.it' }), message)).toBe(true);
    expect(ruleMatches(rule({ subjectContains: 'fattura' }), { ...message, subject: null })).toBe(false);
  });

  it('takes the first matching rule in the declared order', () => {
    const rules = [
      rule({ name: 'a', subjectContains: 'nulla' }),
      rule({ name: 'b', subjectContains: 'fattura' }),
      rule({ name: 'c', sender: '*' }),
    ];
    expect(firstMatch(rules, message)).toEqual({ rule: rules[1], index: 1 });
    expect(firstMatch([rules[0]!], message)).toBeNull();
  });

  it('refuses patterns that could backtrack for ever, and invalid ones', () => {
    expect(regexProblem('(a+)+$')).toMatch(/quantifier on a group/);
    expect(regexProblem('(a|aa)*')).toMatch(/quantifier on a group/);
    expect(regexProblem('(\\w)\\1')).toMatch(/backreferences/);
    expect(regexProblem('(?=a)b')).toMatch(/lookahead/);
    expect(regexProblem('a*b*c*')).toMatch(/two unbounded/);
    expect(regexProblem('[')).not.toBeNull();
    expect(regexProblem('^Rif\\. \\d{1,6}\\b')).toBeNull();
  });

  it('reads the tenant file section with its defaults and refuses a rule without a condition', () => {
    expect(pecIntakeSectionSchema.parse({})).toEqual({ takeChargeWithin: 'PT4H', rules: [] });
    expect(pecIntakeSectionSchema.safeParse({ rules: [{ name: 'x', office: 'A' }] }).success).toBe(false);
    expect(pecIntakeSectionSchema.safeParse({ takeChargeWithin: '4 ore' }).success).toBe(false);
    expect(pecIntakeSectionSchema.safeParse({ rules: [{ name: 'x', office: 'A', subjectMatches: '(a+)+' }] }).success).toBe(false);
    expect(
      pecIntakeSectionSchema.parse({ takeChargeWithin: 'P1D', rules: [{ name: 'x', office: 'A', sender: '*@X.it' }] }).rules[0]!.sender,
    ).toBe('*@x.it');
  });
});
