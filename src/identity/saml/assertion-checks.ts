import type { Profile } from '@node-saml/passport-saml';
import type { SamlContext } from './saml-options.js';
import { SamlRejection } from './saml-rejection.js';

/** Recipient attributes of the signed assertion's SubjectConfirmationData (node-saml's xml2js shape). */
function recipients(profile: Profile): string[] {
  const assertion = profile.getAssertion?.().Assertion as
    { Subject?: { SubjectConfirmation?: { SubjectConfirmationData?: { $?: { Recipient?: unknown } }[] }[] }[] } | undefined;
  return (assertion?.Subject ?? [])
    .flatMap((subject) => subject.SubjectConfirmation ?? [])
    .flatMap((confirmation) => confirmation.SubjectConfirmationData ?? [])
    .map((data) => data.$?.Recipient)
    .filter((recipient): recipient is string => typeof recipient === 'string');
}

/**
 * What node-saml leaves to the application (it checks signatures, times, audience and that the
 * InResponseTo was issued): that the tenant's own IdP issued the assertion, that it was meant for
 * this assertion consumer, and that it is used once even when two copies race on two replicas.
 */
export async function checkAssertion(profile: Profile, context: SamlContext): Promise<void> {
  // node-saml compares idpIssuer only on logout messages; for sign-in it is ours to do.
  if (profile.issuer !== context.sso.idp.entityId) {
    throw new SamlRejection(
      'issuer',
      `assertion issuer ${JSON.stringify(profile.issuer)} is not the tenant's IdP ${context.sso.idp.entityId}`,
    );
  }
  const wrong = recipients(profile).find((recipient) => recipient !== context.urls.acs);
  if (wrong !== undefined) throw new SamlRejection('audience', `assertion recipient ${wrong} is not ${context.urls.acs}`);
  const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : null;
  if (!inResponseTo || !(await context.cache.claimOnce(inResponseTo))) {
    throw new SamlRejection('replayed', 'the response was already used');
  }
}
