import type { Profile } from '@node-saml/passport-saml';
import { identityFromProfile, MissingEmailClaimError } from './sso-identity.js';
import { CLAIM_ALIASES, tenantSsoSchema } from './tenant-sso.js';

const defaults = tenantSsoSchema.shape.claims.parse(undefined);
const profile = (attributes: Record<string, unknown>, nameID = 'CONTOSO\\mrossi'): Profile => ({
  issuer: 'http://adfs/adfs/services/trust',
  nameID,
  nameIDFormat: 'unspecified',
  attributes,
});

describe('identityFromProfile', () => {
  it('takes the e-mail, the name and the groups from the ADFS claim URIs', () => {
    const identity = identityFromProfile(
      profile({
        [CLAIM_ALIASES.emailaddress!]: 'Maria.Rossi@Comune.it',
        [CLAIM_ALIASES.upn!]: 'mrossi@comune.local',
        [CLAIM_ALIASES.givenname!]: 'Maria',
        [CLAIM_ALIASES.surname!]: 'Rossi',
        [CLAIM_ALIASES.role!]: ['PEC-Operatori', 'Domain Users'],
        [CLAIM_ALIASES.group!]: 'PEC-Operatori',
      }),
      defaults,
    );
    expect(identity).toEqual({ email: 'maria.rossi@comune.it', displayName: 'Maria Rossi', groups: ['PEC-Operatori', 'Domain Users'] });
  });

  it('follows the order of the tenant file, skips values that are not addresses, and falls back to the NameID', () => {
    const upnFirst = tenantSsoSchema.shape.claims.parse({ email: ['upn', 'emailaddress'], name: 'name' });
    const attributes = { [CLAIM_ALIASES.upn!]: 'mrossi@comune.local', [CLAIM_ALIASES.emailaddress!]: 'm.rossi@comune.it' };
    expect(identityFromProfile(profile(attributes), upnFirst).email).toBe('mrossi@comune.local');
    expect(identityFromProfile(profile({ [CLAIM_ALIASES.upn!]: 'CONTOSO\\mrossi' }, 'Maria.Rossi@comune.it'), upnFirst)).toEqual({
      email: 'maria.rossi@comune.it',
      displayName: 'Maria.Rossi@comune.it',
      groups: [],
    });
  });

  it('refuses an assertion that carries no usable e-mail, naming the claims it tried', () => {
    expect(() => identityFromProfile(profile({}), defaults)).toThrow(MissingEmailClaimError);
    expect(() => identityFromProfile(profile({}), defaults)).toThrow(/emailaddress.*upn.*nameid/);
  });
});
