import { normaliseOfficePath, parseAssignments, splitList } from './roster-assignments.js';

describe('roster roles and offices', () => {
  it('splits lists on commas, semicolons and line breaks', () => {
    expect(splitList('admin, operator;manager\nuser\n\n ,')).toEqual(['admin', 'operator', 'manager', 'user']);
  });

  it("normalises office paths like OfficeTree: '/' or '>', segments trimmed", () => {
    expect(normaliseOfficePath(' Direzione >  Ufficio  Protocollo ')).toBe('Direzione/Ufficio Protocollo');
    expect(normaliseOfficePath('/Direzione//Protocollo/')).toBe('Direzione/Protocollo');
  });

  it('pairs each plain role with every office of the offices column', () => {
    expect(parseAssignments('Operator, MANAGER', 'Direzione/Protocollo; Tributi')).toEqual({
      roles: ['operator', 'manager'],
      offices: ['Direzione/Protocollo', 'Tributi'],
      memberships: [
        { role: 'operator', office: 'Direzione/Protocollo' },
        { role: 'operator', office: 'Tributi' },
        { role: 'manager', office: 'Direzione/Protocollo' },
        { role: 'manager', office: 'Tributi' },
      ],
      errors: [],
    });
  });

  it('gives plain roles the whole workspace when no office is listed, and adds role@office entries', () => {
    expect(parseAssignments('admin\noperator@Direzione > Protocollo', '')).toEqual({
      roles: ['admin', 'operator'],
      offices: ['Direzione/Protocollo'],
      memberships: [
        { role: 'admin', office: null },
        { role: 'operator', office: 'Direzione/Protocollo' },
      ],
      errors: [],
    });
  });

  it('lists offices without roles, and drops repeated memberships', () => {
    expect(parseAssignments('', 'Tributi').memberships).toEqual([]);
    expect(parseAssignments('', 'Tributi').offices).toEqual(['Tributi']);
    expect(parseAssignments('user, user@Tributi', 'Tributi').memberships).toEqual([{ role: 'user', office: 'Tributi' }]);
  });

  it('refuses role@office entries missing a side, and over-long values', () => {
    const result = parseAssignments(`@Tributi, operator@, ${'r'.repeat(65)}, user`, `${'o'.repeat(201)}`);
    expect(result.errors).toEqual([
      { field: 'offices', code: 'too-long', params: { max: 200, value: 'o'.repeat(40) } },
      { field: 'roles', code: 'invalid-membership', params: { value: '@Tributi' } },
      { field: 'roles', code: 'invalid-membership', params: { value: 'operator@' } },
      { field: 'roles', code: 'too-long', params: { max: 64, value: 'r'.repeat(40) } },
    ]);
    expect(result.memberships).toEqual([{ role: 'user', office: null }]);
  });
});
