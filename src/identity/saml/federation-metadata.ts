import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** What pecflow needs to know about an identity provider, read from its metadata. */
export interface IdpDescriptor {
  /** The IdP's entityID; ADFS uses `http://<host>/adfs/services/trust` (http, compared literally). */
  entityId: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoUrl: string;
  /** SingleLogoutService, HTTP-Redirect binding, when the IdP offers one. */
  sloUrl: string | null;
  /** Every token-signing certificate (PEM): ADFS lists two during a certificate roll-over. */
  signingCertificates: string[];
}

export class FederationMetadataError extends Error {}

/** The base64 body of a <ds:X509Certificate> as PEM, refused when it is not a certificate. */
export function certificateToPem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  const pem = `-----BEGIN CERTIFICATE-----\n${(body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new FederationMetadataError('a signing certificate in the metadata is not a valid X.509 certificate');
  }
  return pem;
}

function children(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === node.ELEMENT_NODE && element.namespaceURI === namespace && element.localName === localName) found.push(element);
  }
  return found;
}

function redirectLocation(descriptor: Element, service: string): string | null {
  const endpoint = children(descriptor, MD, service).find((element) => element.getAttribute('Binding') === REDIRECT);
  const location = endpoint?.getAttribute('Location')?.trim();
  return location ? location : null;
}

/** The IDPSSODescriptor of the metadata: an EntityDescriptor, or the one IdP of an EntitiesDescriptor. */
function idpEntity(root: Element): { entity: Element; idp: Element } {
  const entities = root.localName === 'EntitiesDescriptor' ? children(root, MD, 'EntityDescriptor') : [root];
  const idps = entities.flatMap((entity) => children(entity, MD, 'IDPSSODescriptor').map((idp) => ({ entity, idp })));
  if (idps.length !== 1) throw new FederationMetadataError(`expected one IDPSSODescriptor, found ${idps.length}`);
  return idps[0]!;
}

/**
 * Reads an ADFS FederationMetadata.xml (or any SAML 2.0 IdP metadata). The WS-Federation
 * RoleDescriptors and ADFS' own SPSSODescriptor are ignored. The metadata's envelope signature is
 * not checked: the file is configuration an operator put in tenants/, not something fetched.
 */
export function parseFederationMetadata(xml: string): IdpDescriptor {
  const problems: string[] = [];
  const document = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (message: string) => problems.push(message),
      fatalError: (message: string) => problems.push(message),
    },
  }).parseFromString(xml, 'application/xml');
  const root = document.documentElement;
  if (problems.length > 0 || !root) throw new FederationMetadataError(`not well-formed XML (${problems[0] ?? 'empty document'})`);
  if (root.namespaceURI !== MD || !['EntityDescriptor', 'EntitiesDescriptor'].includes(root.localName)) {
    throw new FederationMetadataError('not SAML 2.0 metadata: the root must be an md:EntityDescriptor');
  }
  const { entity, idp } = idpEntity(root);
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw new FederationMetadataError('the EntityDescriptor has no entityID');
  const ssoUrl = redirectLocation(idp, 'SingleSignOnService');
  if (!ssoUrl) throw new FederationMetadataError('no SingleSignOnService with the HTTP-Redirect binding');

  // use="signing", or no use at all (the key then serves both purposes, SAML metadata §2.4.1.1).
  const signingKeys = children(idp, MD, 'KeyDescriptor').filter((key) => ['', 'signing'].includes(key.getAttribute('use') ?? ''));
  const certificates = signingKeys.flatMap((key) =>
    children(key, DS, 'KeyInfo')
      .flatMap((info) => children(info, DS, 'X509Data'))
      .flatMap((data) => children(data, DS, 'X509Certificate'))
      .map((certificate) => certificateToPem(certificate.textContent ?? '')),
  );
  const signingCertificates = [...new Set(certificates)];
  if (signingCertificates.length === 0) throw new FederationMetadataError('the IDPSSODescriptor has no signing certificate');
  return { entityId, ssoUrl, sloUrl: redirectLocation(idp, 'SingleLogoutService'), signingCertificates };
}
