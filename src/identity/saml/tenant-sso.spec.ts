import { CLAIM_ALIASES, ssoSectionSchema } from './tenant-sso.js';

describe('the sso section of a tenant file', () => {
  const base = { displayName: 'ADFS Comune', metadataXml: '<EntityDescriptor/>' };

  it('fills in safe defaults: signed responses, a short clock skew, no JIT, password form for all', () => {
    const section = ssoSectionSchema.parse(base);
    expect(section).toMatchObject({
      provider: 'adfs',
      requireSignedResponse: true,
      clockSkewSeconds: 60,
      justInTime: false,
      localLogin: 'all',
    });
    expect(section.claims.email).toEqual([CLAIM_ALIASES.emailaddress, CLAIM_ALIASES.upn]);
    expect(section.groupMapping).toEqual({});
  });

  it('accepts short claim names, full URIs and the NameID', () => {
    const section = ssoSectionSchema.parse({
      ...base,
      claims: { email: 'upn', name: ['nameid'], groups: 'http://schemas.xmlsoap.org/claims/Group' },
    });
    expect(section.claims).toMatchObject({ email: [CLAIM_ALIASES.upn], name: ['nameid'], groups: [CLAIM_ALIASES.group] });
  });

  it.each([
    [{ ...base, metadataFile: 'sso/x.xml' }, 'exactly one of metadataFile or metadataXml'],
    [{ displayName: 'x' }, 'exactly one of metadataFile or metadataXml'],
    [{ ...base, claims: { email: 'mail' } }, 'must be a claim URI'],
    [{ ...base, localLogin: 'nobody' }, 'localLogin'],
    [{ ...base, groupMapping: { Gruppo: [{ role: 'operator', ufficio: 'x' }] } }, 'ufficio'],
  ])('refuses a mistake with its field: %j', (section, message) => {
    const parsed = ssoSectionSchema.safeParse(section);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });
});
