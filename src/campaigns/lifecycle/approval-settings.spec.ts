import { campaignsSectionSchema, officeManagers } from './approval-settings.js';
import { romeLocalToIso } from './campaign-lifecycle-pages.controller.js';

describe('campaigns section of a tenant file', () => {
  it('defaults to no approval, the admins as second level', () => {
    expect(campaignsSectionSchema.parse({})).toEqual({ approval: { levels: 0, secondApprovers: 'role:admin' } });
    expect(campaignsSectionSchema.parse({ approval: { levels: 2, firstApprovers: 'group:Giunta' } }).approval).toEqual({
      levels: 2,
      firstApprovers: 'group:Giunta',
      secondApprovers: 'role:admin',
    });
  });

  it('refuses three levels, unknown keys and approvers that are not actors', () => {
    expect(campaignsSectionSchema.safeParse({ approval: { levels: 3 } }).success).toBe(false);
    expect(campaignsSectionSchema.safeParse({ approval: { levels: 1, approver: 'role:admin' } }).success).toBe(false);
    expect(campaignsSectionSchema.safeParse({ approval: { levels: 1, secondApprovers: 'team:Giunta' } }).success).toBe(false);
    expect(campaignsSectionSchema.safeParse({ approval: { levels: 1, firstApprovers: ' , ' } }).success).toBe(false);
  });

  it('names the managers of each office of the mailbox', () => {
    expect(officeManagers(['Direzione/Tributi', 'Protocollo'])).toBe('role:manager@Direzione/Tributi, role:manager@Protocollo');
    expect(officeManagers([])).toBe('');
  });
});

describe('a "not before" time typed on the campaign page', () => {
  it('is Italian time, summer and winter', () => {
    expect(romeLocalToIso('2026-12-01T09:30')).toBe('2026-12-01T09:30:00+01:00');
    expect(romeLocalToIso('2026-07-01T09:30')).toBe('2026-07-01T09:30:00+02:00');
    expect(romeLocalToIso('  ')).toBeUndefined();
    // Anything else goes to the API's validation as typed.
    expect(romeLocalToIso('domani')).toBe('domani');
  });
});
