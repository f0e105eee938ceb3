import { generate } from 'selfsigned';
import { FederationMetadataError, parseFederationMetadata } from './federation-metadata.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

async function certificateBody(): Promise<string> {
  const { cert } = await generate([{ name: 'commonName', value: 'ADFS Signing - unit' }], { keySize: 2048, algorithm: 'sha256' });
  return cert.replace(/-----[A-Z ]+-----|\s+/g, '');
}

const key = (body: string, use?: string): string =>
  `<KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>\n${body.replace(/(.{64})/g, '$1\n')}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>`;

function metadata(inner: string, entityId = 'http://adfs.example.test/adfs/services/trust'): string {
  return `<EntityDescriptor xmlns="${MD}" entityID="${entityId}"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${inner}</IDPSSODescriptor></EntityDescriptor>`;
}

describe('parseFederationMetadata', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([certificateBody(), certificateBody()]);
  });
  const sso = `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://post.example.test/"/><SingleSignOnService Binding="${REDIRECT}" Location="https://adfs.example.test/adfs/ls/"/>`;

  it('reads the entityID, the Redirect endpoints and every signing certificate (use="signing" or no use)', () => {
    const idp = parseFederationMetadata(
      metadata(
        `${key(a, 'signing')}${key(b)}${key(a, 'encryption')}<SingleLogoutService Binding="${REDIRECT}" Location="https://adfs.example.test/adfs/ls/"/>${sso}`,
      ),
    );
    expect(idp.entityId).toBe('http://adfs.example.test/adfs/services/trust');
    expect(idp.ssoUrl).toBe('https://adfs.example.test/adfs/ls/');
    expect(idp.sloUrl).toBe('https://adfs.example.test/adfs/ls/');
    expect(idp.signingCertificates).toHaveLength(2);
    expect(idp.signingCertificates[0]).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  });

  it('finds the one IdP of an EntitiesDescriptor and tolerates a missing SLO', () => {
    const xml = `<EntitiesDescriptor xmlns="${MD}">${metadata(key(a, 'signing') + sso)}</EntitiesDescriptor>`;
    expect(parseFederationMetadata(xml).sloUrl).toBeNull();
  });

  it.each([
    ['not XML', 'not XML at all <', /not well-formed|root must be/],
    ['another document', '<html xmlns="http://www.w3.org/1999/xhtml"/>', /root must be an md:EntityDescriptor/],
    ['no IdP', `<EntityDescriptor xmlns="${MD}" entityID="x"/>`, /one IDPSSODescriptor, found 0/],
    ['no Redirect SSO', 'CERT', /no SingleSignOnService with the HTTP-Redirect binding/],
    ['no signing key', 'SSO-ONLY', /no signing certificate/],
    ['a broken certificate', 'BROKEN', /not a valid X.509 certificate/],
  ])('refuses %s with a clear reason', (_name, xml, message) => {
    const documents: Record<string, string> = {
      CERT: metadata(key(a, 'signing')),
      'SSO-ONLY': metadata(key(a, 'encryption') + sso),
      BROKEN: metadata(key('MIIBroken', 'signing') + sso),
    };
    const parse = (): unknown => parseFederationMetadata(documents[xml] ?? xml);
    expect(parse).toThrow(FederationMetadataError);
    expect(parse).toThrow(message);
  });
});
