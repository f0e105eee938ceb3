import { grantsForGroups } from './group-mapping.js';

describe('grantsForGroups', () => {
  const sso = {
    defaultGrants: [{ role: 'user', office: null }],
    groupMapping: {
      'PEC-Operatori': [{ role: 'operator', office: 'Direzione/Protocollo' }],
      'CN=PEC-Admins,OU=Gruppi,DC=comune,DC=local': [
        { role: 'admin', office: null },
        { role: 'operator', office: 'direzione/protocollo' },
      ],
    },
  };

  it('gives the defaults plus what the known groups map to, matching group names case-insensitively', () => {
    expect(grantsForGroups(['Domain Users', ' pec-operatori '], sso)).toEqual([
      { role: 'user', office: null },
      { role: 'operator', office: 'Direzione/Protocollo' },
    ]);
  });

  it('gives each grant once, whatever the spelling of the office path', () => {
    expect(grantsForGroups(['PEC-Operatori', 'cn=pec-admins,ou=gruppi,dc=comune,dc=local'], sso)).toEqual([
      { role: 'user', office: null },
      { role: 'operator', office: 'direzione/protocollo' },
      { role: 'admin', office: null },
    ]);
  });

  it('gives only the defaults to someone in no mapped group', () => {
    expect(grantsForGroups([], sso)).toEqual([{ role: 'user', office: null }]);
  });
});
