import { SamlStatusError } from '@node-saml/passport-saml';
import { rejectionReason, SamlRejection } from './saml-rejection.js';
import { MissingEmailClaimError } from './sso-identity.js';

describe('rejectionReason', () => {
  it.each([
    ['Invalid document signature', 'signature'],
    ['Invalid signature', 'signature'],
    ['Invalid signature: multiple assertions', 'signature'],
    ['InResponseTo is not valid', 'replayed'],
    ['InResponseTo is missing from response', 'replayed'],
    ['SAML assertion not yet valid', 'not-yet-valid'],
    ['SAML assertion expired: clocks skewed too much', 'expired'],
    ['No valid subject confirmation found among those available in the SAML assertion', 'expired'],
    ['SAML assertion audience mismatch. Expected: a Received: b', 'audience'],
    ['Unknown SAML issuer. Expected: a Received: b', 'issuer'],
    ['something else entirely', 'invalid'],
  ])('reads node-saml\'s "%s" as %s', (message, reason) => {
    expect(rejectionReason(new Error(message))).toBe(reason);
  });

  it('knows its own refusals, the IdP saying no, and a missing e-mail claim', () => {
    expect(rejectionReason(new SamlRejection('issuer', 'x'))).toBe('issuer');
    expect(rejectionReason(new SamlStatusError('SAML provider returned Responder error: unspecified', '<Status/>'))).toBe('idp-status');
    expect(rejectionReason(new MissingEmailClaimError(['upn']))).toBe('missing-email');
  });
});
