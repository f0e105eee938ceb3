import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/passport-saml';
import { parseFederationMetadata } from '../../src/identity/saml/federation-metadata.js';
import { rejectionReason } from '../../src/identity/saml/saml-rejection.js';
import { identityFromProfile } from '../../src/identity/saml/sso-identity.js';
import { resolveSsoSection, ssoSectionSchema, tenantSsoSchema } from '../../src/identity/saml/tenant-sso.js';
import { newSigningKey, sign } from '../support/saml-idp.js';

/**
 * Real ADFS data from the shared corpus (see shared/corpus/saml/SOURCES.md), read where it lies at
 * run time: it is not copied into this repository. Without ../shared these tests are not registered, and say so.
 */
const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/saml');
const present = existsSync(CORPUS);
const read = (name: string): Promise<string> => readFile(path.join(CORPUS, name), 'utf8');
const defaultClaims = tenantSsoSchema.shape.claims.parse(undefined);

/** The certificate a response carries in its KeyInfo (ruby-saml's fixtures wrap the PEM in base64 once more). */
function embeddedCertificate(xml: string): string {
  const body = /X509Certificate>([^<]+)</.exec(xml)![1]!.replace(/\s+/g, '');
  const decoded = Buffer.from(body, 'base64').toString('latin1');
  return decoded.startsWith('-----BEGIN') ? decoded : body;
}

/** node-saml as our SP runs it, with the corpus' own audience and its 2011 clock switched off (for these files only). */
async function validate(xml: string, idpCert: string): Promise<Profile> {
  const saml = new SAML({
    callbackUrl: 'https://someone.example.com/endpoint',
    issuer: 'example.com',
    idpCert,
    wantAssertionsSigned: true,
    // ADFS' default: the assertion signed, the response not.
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') });
  return profile!;
}

if (!present) {
  describe('the shared SAML corpus', () => {
    it('is absent, so the real ADFS tests below are not registered', () => {
      process.stderr.write(
        `\nsaml-corpus: ${CORPUS} not found (no ../shared beside the repository): real ADFS metadata and response tests not run\n`,
      );
    });
  });
}

// Registered only when the corpus is there: without it the test above says so, and nothing is left skipped.
if (present)
  describe('real ADFS metadata and responses from the shared corpus', () => {
    it('reads the ADFS FederationMetadata.xml: entityID, SSO and SLO endpoints, and both certificates of a roll-over', async () => {
      const idp = parseFederationMetadata(await read('coveo-saml-client_adfs-FederationMetadata.xml'));
      expect(idp.entityId).toBe('http://adfs01.dev.coveo.com/adfs/services/trust');
      expect(idp.ssoUrl).toBe('https://adfs01.dev.coveo.com/adfs/ls/');
      expect(idp.sloUrl).toBe('https://adfs01.dev.coveo.com/adfs/ls/');
      expect(idp.signingCertificates).toHaveLength(2);
      const certificates = idp.signingCertificates.map((pem) => new X509Certificate(pem));
      for (const certificate of certificates) expect(certificate.subject).toContain('CN=ADFS Signing - adfs01.dev.coveo.com');
      expect(new Set(certificates.map((c) => c.validFrom)).size).toBe(2);
    });

    it('takes the metadata from a file beside the tenant files, as the tenant file names it', async () => {
      const section = ssoSectionSchema.parse({ displayName: 'ADFS Coveo', metadataFile: 'coveo-saml-client_adfs-FederationMetadata.xml' });
      const sso = await resolveSsoSection(section, CORPUS);
      expect(sso.idp.entityId).toBe('http://adfs01.dev.coveo.com/adfs/services/trust');
      expect(tenantSsoSchema.parse(sso)).toEqual(sso);
      await expect(resolveSsoSection({ ...section, metadataFile: '../saml/../../design.md' }, CORPUS)).rejects.toThrow(
        /inside the tenants folder/,
      );
    });

    it.each(['ruby-saml_adfs_response_sha256.xml', 'ruby-saml_adfs_response_xmlns.xml'])(
      'accepts the ADFS-shaped response %s (assertion-only signature) and maps its subject',
      async (name) => {
        const xml = await read(name);
        const profile = await validate(xml, embeddedCertificate(xml));
        expect(profile.issuer).toBe('http://login.example.com/issuer');
        expect(profile.sessionIndex).toBe('_721b4a5a-d7e1-4861-9754-a9b197b6f9ab');
        // No AttributeStatement in these files: the e-mail comes from the NameID, the last resort.
        expect(identityFromProfile(profile, defaultClaims)).toEqual({
          email: 'hello@example.com',
          displayName: 'hello@example.com',
          groups: [],
        });
      },
    );

    it('refuses the response captured from a real ADFS: it was anonymised after signing, which is tampering', async () => {
      const xml = Buffer.from(await read('python3-saml_adfs_response.xml.base64'), 'base64').toString('utf8');
      expect(embeddedCertificate(xml)).toMatch(/^MIIC5DCCAcygAwIBAgIQNBTkt7qicapKNsIXMck8xTANBgkq/);
      const error = await validate(xml, embeddedCertificate(xml)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(rejectionReason(error)).toBe('signature');
      // Signed again with a key of ours, the same ADFS assertion goes through and maps.
      const key = await newSigningKey('corpus re-signing');
      const resigned = sign(xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ''), key, 'assertion');
      const profile = await validate(resigned, key.certificate);
      expect(profile.nameIDFormat).toBe('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
      expect(identityFromProfile(profile, defaultClaims).email).toBe('hello@example.com');
    });
  });
