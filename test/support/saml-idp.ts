import { randomUUID } from 'node:crypto';
import samlify from 'samlify';
import { generate } from 'selfsigned';

// The test IdP only parses AuthnRequests and LogoutRequests our own SP made, so samlify's XML schema
// check (which needs a validator package) is skipped here. Never do this on the SP side.
samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') });

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const CLAIM = {
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  role: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
} as const;

/** A token-signing pair made for this run only: no key material is committed. */
export interface SigningKey {
  privateKey: string;
  certificate: string;
}

export async function newSigningKey(commonName: string): Promise<SigningKey> {
  const pair = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' });
  return { privateKey: pair.private, certificate: pair.cert };
}

export interface IdpUser {
  upn: string;
  email?: string;
  givenName?: string;
  surname?: string;
  groups?: string[];
}

export interface AnswerOptions {
  /** What the IdP signs: ADFS' default is the assertion only; MessageAndAssertion is what tenants should set. */
  sign?: 'response-and-assertion' | 'assertion' | 'response' | 'none';
  /** Another key than the IdP's current one (its roll-over successor, or a stranger's). */
  key?: SigningKey;
  /** Moves the IdP's clock. */
  shiftMs?: number;
  issuer?: string;
  inResponseTo?: string;
}

/** What a browser posts to the assertion consumer. */
export interface PostedResponse {
  SAMLResponse: string;
  RelayState?: string;
}

const certificateBody = (pem: string): string => pem.replace(/-----[A-Z ]+-----|\s+/g, '');

const xmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** ADFS-shaped: Consent attribute, unprefixed assertion, claim URIs as attribute names, a multi-valued role claim. */
function adfsResponse(v: Record<string, string>, user: IdpUser): string {
  const attribute = (name: string, values: (string | undefined)[]): string => {
    const present = values.filter((value): value is string => value !== undefined);
    return present.length === 0
      ? ''
      : `<Attribute Name="${name}">${present.map((value) => `<AttributeValue>${xmlEscape(value)}</AttributeValue>`).join('')}</Attribute>`;
  };
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="${v.id}" Version="2.0" IssueInstant="${v.now}" Destination="${v.acs}" Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified" InResponseTo="${v.inResponseTo}">` +
    `<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${xmlEscape(v.issuer!)}</Issuer>` +
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
    `<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="${v.assertionId}" IssueInstant="${v.now}" Version="2.0">` +
    `<Issuer>${xmlEscape(v.issuer!)}</Issuer>` +
    `<Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${xmlEscape(user.upn)}</NameID>` +
    `<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData InResponseTo="${v.inResponseTo}" NotOnOrAfter="${v.later}" Recipient="${v.acs}"/></SubjectConfirmation></Subject>` +
    `<Conditions NotBefore="${v.now}" NotOnOrAfter="${v.later}"><AudienceRestriction><Audience>${v.audience}</Audience></AudienceRestriction></Conditions>` +
    '<AttributeStatement>' +
    attribute(CLAIM.upn, [user.upn]) +
    attribute(CLAIM.email, [user.email]) +
    attribute(CLAIM.givenName, [user.givenName]) +
    attribute(CLAIM.surname, [user.surname]) +
    attribute(CLAIM.role, user.groups ?? []) +
    '</AttributeStatement>' +
    `<AuthnStatement AuthnInstant="${v.now}" SessionIndex="${v.assertionId}"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</AuthnContextClassRef></AuthnContext></AuthnStatement>` +
    '</Assertion></samlp:Response>'
  );
}

/** Signs the assertion (enveloped, after its Issuer) or the whole response, RSA-SHA256, as ADFS does. */
export function sign(xml: string, key: SigningKey, what: 'assertion' | 'response'): string {
  const base = {
    rawSamlMessage: xml,
    privateKey: key.privateKey,
    // samlify takes the certificate as metadata carries it: the base64 body, without the PEM armour.
    signingCert: certificateBody(key.certificate),
    signatureAlgorithm: RSA_SHA256,
    isBase64Output: false,
  };
  return what === 'assertion'
    ? samlify.SamlLib.constructSAMLSignature({
        ...base,
        referenceTagXPath: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']",
        signatureConfig: {
          prefix: 'ds',
          location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
        },
      })
    : samlify.SamlLib.constructSAMLSignature({
        ...base,
        isMessageSigned: true,
        signatureConfig: {
          prefix: 'ds',
          location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' },
        },
      });
}

/** The raw `name=value` pairs of a redirect URL, in order and still encoded, as the signer saw them. */
function octetString(location: URL, names: string[]): string {
  const pairs = location.search.slice(1).split('&');
  return names.flatMap((name) => pairs.filter((pair) => pair.startsWith(`${name}=`))).join('&');
}

/**
 * A headless ADFS stand-in: samlify as the IdP, with this run's own keys (two, as during an ADFS
 * token-signing certificate roll-over). It is driven by the test: it reads the SP's redirect, and
 * hands back what the browser would post.
 */
export class TestIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;

  private constructor(
    readonly name: string,
    /** keys[0] signs by default; the metadata lists them all. */
    readonly keys: SigningKey[],
  ) {
    this.entityId = `http://adfs.${name}.test/adfs/services/trust`;
    this.ssoUrl = `https://adfs.${name}.test/adfs/ls/`;
    this.sloUrl = `https://adfs.${name}.test/adfs/ls/?wa=wsignout1.0`;
  }

  static async create(name: string, keyCount = 1): Promise<TestIdp> {
    const keys: SigningKey[] = [];
    for (let i = 0; i < keyCount; i += 1) keys.push(await newSigningKey(`ADFS Signing - adfs.${name}.test (${i + 1})`));
    return new TestIdp(name, keys);
  }

  /** FederationMetadata.xml as ADFS publishes it, trimmed: WS-Fed role descriptor, IdP descriptor with every signing key. */
  federationMetadata(): string {
    const keyDescriptors = this.keys
      .map(
        (key) =>
          `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${certificateBody(key.certificate)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`,
      )
      .join('');
    return (
      '<?xml version="1.0" encoding="utf-8"?>' +
      `<EntityDescriptor ID="_${randomUUID()}" entityID="${this.entityId}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
      '<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706"/>' +
      '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
      keyDescriptors +
      `<SingleLogoutService Binding="${REDIRECT}" Location="${this.sloUrl}"/>` +
      `<SingleLogoutService Binding="${POST}" Location="${this.sloUrl}"/>` +
      '<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>' +
      `<SingleSignOnService Binding="${REDIRECT}" Location="${this.ssoUrl}"/>` +
      `<SingleSignOnService Binding="${POST}" Location="${this.ssoUrl}"/>` +
      '</IDPSSODescriptor></EntityDescriptor>'
    );
  }

  private entities(spMetadata: string, key: SigningKey = this.keys[0]!) {
    const idp = samlify.IdentityProvider({
      entityID: this.entityId,
      privateKey: key.privateKey,
      signingCert: key.certificate,
      requestSignatureAlgorithm: RSA_SHA256,
      // Our SP signs when it has SAML_SP_PRIVATE_KEY: then, like ADFS, insist on it.
      wantAuthnRequestsSigned: spMetadata.includes('AuthnRequestsSigned="true"'),
      wantLogoutRequestSigned: true,
      singleSignOnService: [{ Binding: REDIRECT, Location: this.ssoUrl }],
      singleLogoutService: [{ Binding: REDIRECT, Location: this.sloUrl }],
    });
    const sp = samlify.ServiceProvider({ metadata: spMetadata, wantLogoutResponseSigned: true });
    return { idp, sp };
  }

  /** Reads (and, when signed, verifies) the AuthnRequest in the SP's redirect to our SSO URL. */
  async readAuthnRequest(spMetadata: string, redirect: string): Promise<{ id: string; relayState?: string; acs: string }> {
    const location = new URL(redirect);
    const { idp, sp } = this.entities(spMetadata);
    const parsed = await idp.parseLoginRequest(sp, 'redirect', {
      query: Object.fromEntries(location.searchParams),
      octetString: octetString(location, ['SAMLRequest', 'RelayState', 'SigAlg']),
    });
    const request = (parsed.extract as { request: { id: string; assertionConsumerServiceUrl: string } }).request;
    return { id: request.id, relayState: location.searchParams.get('RelayState') ?? undefined, acs: request.assertionConsumerServiceUrl };
  }

  /** The response the IdP's page would post back for the SP's AuthnRequest (in the SP's redirect URL). */
  async answer(spMetadata: string, redirect: string, user: IdpUser, options: AnswerOptions = {}): Promise<PostedResponse> {
    const request = await this.readAuthnRequest(spMetadata, redirect);
    const now = new Date(Date.now() + (options.shiftMs ?? 0));
    const audience = /entityID="([^"]+)"/.exec(spMetadata)![1]!;
    let xml = adfsResponse(
      {
        id: `_${randomUUID()}`,
        assertionId: `_${randomUUID()}`,
        now: now.toISOString(),
        later: new Date(now.getTime() + 5 * 60_000).toISOString(),
        acs: request.acs,
        audience,
        issuer: options.issuer ?? this.entityId,
        inResponseTo: options.inResponseTo ?? request.id,
      },
      user,
    );
    const signing = options.sign ?? 'response-and-assertion';
    const key = options.key ?? this.keys[0]!;
    // Assertion first: the response signature then covers the signed assertion, as ADFS does it.
    if (signing === 'assertion' || signing === 'response-and-assertion') xml = sign(xml, key, 'assertion');
    if (signing === 'response' || signing === 'response-and-assertion') xml = sign(xml, key, 'response');
    return { SAMLResponse: Buffer.from(xml).toString('base64'), ...(request.relayState ? { RelayState: request.relayState } : {}) };
  }

  /** Reads and verifies the SP's signed LogoutRequest, and answers with a signed LogoutResponse (POST binding). */
  async answerLogout(
    spMetadata: string,
    redirect: string,
    key?: SigningKey,
  ): Promise<{ nameId: string; sessionIndex?: string; posted: PostedResponse }> {
    const location = new URL(redirect);
    const { idp, sp } = this.entities(spMetadata, key);
    const parsed = await idp.parseLogoutRequest(sp, 'redirect', {
      query: Object.fromEntries(location.searchParams),
      octetString: octetString(location, ['SAMLRequest', 'RelayState', 'SigAlg']),
    });
    const extract = parsed.extract as { nameID: string; sessionIndex?: string };
    const relayState = location.searchParams.get('RelayState') ?? undefined;
    const response = idp.createLogoutResponse(sp, { ...parsed }, 'post', relayState ?? '') as { context: string };
    return {
      nameId: extract.nameID,
      sessionIndex: extract.sessionIndex,
      posted: { SAMLResponse: response.context, ...(relayState ? { RelayState: relayState } : {}) },
    };
  }
}

/** The decoded XML of a posted response, changed by `edit` and encoded again (tampering after signing). */
export function tampered(posted: PostedResponse, edit: (xml: string) => string): PostedResponse {
  const xml = Buffer.from(posted.SAMLResponse, 'base64').toString('utf8');
  const changed = edit(xml);
  if (changed === xml) throw new Error('tampered(): the edit changed nothing');
  return { ...posted, SAMLResponse: Buffer.from(changed).toString('base64') };
}
