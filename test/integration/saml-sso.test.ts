import { randomBytes } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OrganisationService } from '../../src/access/organisation.service.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { resolveSsoSection, ssoSectionSchema } from '../../src/identity/saml/tenant-sso.js';
import { User } from '../../src/identity/user.entity.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { newSigningKey, TestIdp, tampered, type AnswerOptions, type IdpUser } from '../support/saml-idp.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

const run = randomBytes(3).toString('hex');
/** Workspaces of this file only, made in the database with their IdP's keys of this run. */
const ALPHA = `sso-alpha-${run}`;
const BETA = `sso-beta-${run}`;
const host = (slug: string): string => `${slug}.localhost`;

describe('single sign-on with ADFS over SAML 2.0 (samlify as the IdP, on loopback)', () => {
  let t: TestApp;
  let alphaIdp: TestIdp;
  let betaIdp: TestIdp;
  const savedEnv = { key: process.env.SAML_SP_PRIVATE_KEY, cert: process.env.SAML_SP_CERT };

  async function ssoTenant(slug: string, idp: TestIdp, section: Record<string, unknown>): Promise<void> {
    const sso = await resolveSsoSection(ssoSectionSchema.parse({ ...section, metadataXml: idp.federationMetadata() }), 'tenants');
    const dataSource = t.app.get(DataSource);
    const tenant = await dataSource.getRepository(Tenant).save({
      slug,
      name: `Comune ${slug}`,
      theme: 'civico',
      defaultLocale: 'it',
      domains: [],
      solutions: ['pec'],
      enabled: true,
      sso,
    });
    await TenantContext.run({ tenantId: tenant.id, slug }, async () => {
      const organisation = t.app.get(OrganisationService);
      await organisation.ensureBuiltinRoles();
      await organisation.ensureOfficePath('Direzione/Protocollo');
    });
  }

  beforeAll(async () => {
    // One SP signing pair for the deployment: signed AuthnRequests, and the signed LogoutRequests ADFS wants.
    const sp = await newSigningKey('pecflow SP (test)');
    process.env.SAML_SP_PRIVATE_KEY = sp.privateKey;
    process.env.SAML_SP_CERT = sp.certificate;
    t = await startTestApp();
    alphaIdp = await TestIdp.create(`alpha-${run}`, 2);
    betaIdp = await TestIdp.create(`beta-${run}`);
    await ssoTenant(ALPHA, alphaIdp, {
      displayName: 'ADFS Alpha',
      requireSignedResponse: true,
      clockSkewSeconds: 60,
      justInTime: true,
      localLogin: 'admins-only',
      groupMapping: {
        'PEC-Operatori': [{ role: 'operator', office: 'Direzione/Protocollo' }],
        'CN=PEC-Admins,OU=Gruppi,DC=alpha,DC=local': [{ role: 'admin', office: null }],
        'Mappatura-Errata': [
          { role: 'ruolo-inesistente', office: null },
          { role: 'operator', office: 'Ufficio/Inesistente' },
        ],
      },
      defaultGrants: [{ role: 'user', office: null }],
    });
    // ADFS' default signature (assertion only), accepted because this tenant says so; no JIT.
    await ssoTenant(BETA, betaIdp, { displayName: 'ADFS Beta', requireSignedResponse: false, justInTime: false });
  });

  afterAll(async () => {
    await t?.close();
    for (const [name, value] of [
      ['SAML_SP_PRIVATE_KEY', savedEnv.key],
      ['SAML_SP_CERT', savedEnv.cert],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const client = (slug: string, language = 'it'): WebClient => new WebClient(t.app.getHttpServer(), host(slug), language);
  const metadataOf = async (slug: string): Promise<string> => (await client(slug).get('/auth/saml/metadata')).text;

  /** The browser's trip: our /auth/saml/login, the IdP (driven by the test), and the post back to the ACS. */
  async function ssoSignIn(
    web: WebClient,
    slug: string,
    idp: TestIdp,
    user: IdpUser,
    options: AnswerOptions & { relayState?: string; edit?: (xml: string) => string } = {},
  ): Promise<request.Response> {
    const start = await web.get(`/auth/saml/login${options.relayState ? `?RelayState=${encodeURIComponent(options.relayState)}` : ''}`);
    expect(start.status).toBe(302);
    let posted = await idp.answer(await metadataOf(slug), start.headers.location!, user, options);
    if (options.edit) posted = tampered(posted, options.edit);
    return web.post('/auth/saml/callback', { ...posted });
  }

  const person = (name: string, groups: string[] = []): IdpUser => ({
    upn: `${name}@alpha.local`,
    email: `${name}@comune-alpha.it`,
    givenName: 'Maria',
    surname: name.charAt(0).toUpperCase() + name.slice(1),
    groups,
  });

  async function grantsOf(slug: string, email: string): Promise<string[]> {
    const dataSource = t.app.get(DataSource);
    const tenant = await dataSource.getRepository(Tenant).findOneByOrFail({ slug });
    return TenantContext.run({ tenantId: tenant.id, slug }, async () => {
      const user = await dataSource.getRepository(User).findOneByOrFail({ tenantId: tenant.id, email });
      const organisation = t.app.get(OrganisationService);
      const tree = await organisation.tree();
      const grants = await organisation.grantsOf(user.id);
      return grants.map((g) => `${g.role}@${g.officeId ? tree.path(g.officeId) : '*'}`).sort();
    });
  }

  it('publishes SP metadata for the relying party trust, per workspace host', async () => {
    const res = await client(ALPHA).get('/auth/saml/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
    const doc = new DOMParser().parseFromString(res.text, 'application/xml');
    const root = doc.documentElement;
    expect(root.localName).toBe('EntityDescriptor');
    expect(root.getAttribute('entityID')).toBe(`http://${host(ALPHA)}/auth/saml/metadata`);
    const acs = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'AssertionConsumerService')[0]!;
    expect(acs.getAttribute('Location')).toBe(`http://${host(ALPHA)}/auth/saml/callback`);
    expect(acs.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    const descriptor = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'SPSSODescriptor')[0]!;
    expect(descriptor.getAttribute('AuthnRequestsSigned')).toBe('true');
    expect(descriptor.getAttribute('WantAssertionsSigned')).toBe('true');
    expect(res.text).toContain(`/auth/saml/logout/callback`);
    // A workspace without SSO has no SAML endpoints at all.
    expect((await client('demo').get('/auth/saml/metadata')).status).toBe(404);
  });

  it('offers "Accedi con <IdP>" on the sign-in page, and says when the password form is for administrators only', async () => {
    const page = await client(ALPHA).get('/login?next=%2Fprofile');
    expect(page.text).toContain('Accedi con ADFS Alpha');
    expect(page.text).toContain('action="/auth/saml/login"');
    expect(page.text).toContain('name="RelayState" value="/profile"');
    expect(page.text).toContain('riservato agli amministratori');
    const beta = await client(BETA, 'en').get('/login');
    expect(beta.text).toContain('Sign in with ADFS Beta');
    expect(beta.text).not.toContain('administrators only');
    expect((await client('demo').get('/login')).text).not.toContain('/auth/saml/login');
  });

  it('signs in end to end: signed AuthnRequest, signed response, user created just in time, roles and offices from groups', async () => {
    const web = client(ALPHA);
    const start = await web.get('/auth/saml/login?RelayState=%2Fprofile');
    expect(start.status).toBe(302);
    const location = new URL(start.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(alphaIdp.ssoUrl);
    expect(location.searchParams.get('SAMLRequest')).toBeTruthy();
    expect(location.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    // The IdP reads (and verifies the signature of) the request we sent, as ADFS would.
    const metadata = await metadataOf(ALPHA);
    const authnRequest = await alphaIdp.readAuthnRequest(metadata, start.headers.location!);
    expect(authnRequest.id).toMatch(/^_/);
    expect(authnRequest.acs).toBe(`http://${host(ALPHA)}/auth/saml/callback`);

    const maria = person('rossi', ['Domain Users', 'pec-operatori', 'CN=PEC-Admins,OU=Gruppi,DC=alpha,DC=local', 'Mappatura-Errata']);
    const posted = await alphaIdp.answer(metadata, start.headers.location!, maria);
    const done = await web.post('/auth/saml/callback', { ...posted });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/profile');
    const cookie = ([] as string[]).concat(done.headers['set-cookie'] ?? []).find((c) => c.startsWith('pf_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const desktop = await web.get('/');
    expect(desktop.status).toBe(200);
    expect(desktop.text).toContain('Maria Rossi');
    // Unknown groups are ignored, the broken mapping is skipped (and logged), the rest is granted.
    expect(await grantsOf(ALPHA, 'rossi@comune-alpha.it')).toEqual(['admin@*', 'operator@Direzione/Protocollo', 'user@*']);
  });

  it('makes the IdP the source of truth: each sign-in replaces the memberships with what the groups say now', async () => {
    const verdi = person('verdi', ['PEC-Operatori']);
    expect((await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, verdi)).status).toBe(303);
    expect(await grantsOf(ALPHA, 'verdi@comune-alpha.it')).toEqual(['operator@Direzione/Protocollo', 'user@*']);
    expect((await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, { ...verdi, groups: [] })).status).toBe(303);
    expect(await grantsOf(ALPHA, 'verdi@comune-alpha.it')).toEqual(['user@*']);
  });

  it('accepts a response signed with the second certificate of the metadata (ADFS certificate roll-over)', async () => {
    const res = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('bianchi'), { key: alphaIdp.keys[1] });
    expect(res.status).toBe(303);
  });

  it('refuses a response signed on the assertion only, or not at all, when the workspace requires a signed response', async () => {
    const assertionOnly = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { sign: 'assertion' });
    expect(assertionOnly.status).toBe(403);
    expect(assertionOnly.text).toContain('non è firmata come questo workspace richiede');
    const unsigned = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { sign: 'none' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.text).toContain('non è firmata come questo workspace richiede');
    // A workspace that accepts ADFS' default still wants the assertion signed.
    const betaUser = await createUser(t.app, BETA, { email: 'gialli@beta.test' });
    const betaUnsigned = await ssoSignIn(client(BETA), BETA, betaIdp, { upn: betaUser.email }, { sign: 'none' });
    expect(betaUnsigned.status).toBe(403);
    const betaDefault = await ssoSignIn(client(BETA), BETA, betaIdp, { upn: betaUser.email }, { sign: 'assertion' });
    expect(betaDefault.status).toBe(303);
  });

  it("refuses a response signed by another workspace's IdP, or by a key the metadata does not list", async () => {
    const foreign = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { key: betaIdp.keys[0] });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toContain('la firma non è valida');
    const stranger = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { key: await newSigningKey('stranger') });
    expect(stranger.status).toBe(403);
  });

  it('refuses a response whose issuer is not the workspace IdP, even when signed with its key', async () => {
    const res = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { issuer: betaIdp.entityId });
    expect(res.status).toBe(403);
    expect(res.text).toContain('non viene da ADFS Alpha');
  });

  it('refuses a replayed response: each InResponseTo is good once', async () => {
    const web = client(ALPHA);
    const start = await web.get('/auth/saml/login');
    const posted = await alphaIdp.answer(await metadataOf(ALPHA), start.headers.location!, person('ferrari'));
    expect((await web.post('/auth/saml/callback', { ...posted })).status).toBe(303);
    const replay = await client(ALPHA).post('/auth/saml/callback', { ...posted });
    expect(replay.status).toBe(403);
    expect(replay.text).toContain('già stata usata');
  });

  it('refuses an InResponseTo this workspace never issued, including one issued by another workspace', async () => {
    const unknown = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { inResponseTo: '_never-issued' });
    expect(unknown.status).toBe(403);
    expect(unknown.text).toContain('non risponde a una richiesta di questo workspace');
    // A request really issued, but by beta: alpha's IdP answers it, and the answer is posted to alpha.
    const betaStart = await client(BETA).get('/auth/saml/login');
    const betaRequest = await betaIdp.readAuthnRequest(await metadataOf(BETA), betaStart.headers.location!);
    const crossed = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { inResponseTo: betaRequest.id });
    expect(crossed.status).toBe(403);
    expect(crossed.text).toContain('non risponde a una richiesta di questo workspace');
  });

  it('refuses expired and not-yet-valid responses beyond the clock skew, and tolerates skew within it', async () => {
    const expired = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { shiftMs: -10 * 60_000 });
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('è scaduta');
    const early = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), { shiftMs: 3 * 60_000 });
    expect(early.status).toBe(403);
    expect(early.text).toContain('non è ancora valida');
    const slightlyAhead = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('gallo'), { shiftMs: 30_000 });
    expect(slightlyAhead.status).toBe(303);
  });

  it('refuses a response changed after signing (NameID or a claim)', async () => {
    const nameId = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri'), {
      edit: (xml) => xml.replace('>neri@alpha.local</NameID>', '>sindaco@alpha.local</NameID>'),
    });
    expect(nameId.status).toBe(403);
    expect(nameId.text).toContain('la firma non è valida');
    const claim = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('neri', ['Domain Users']), {
      edit: (xml) =>
        xml.replace(
          '<AttributeValue>Domain Users</AttributeValue>',
          '<AttributeValue>CN=PEC-Admins,OU=Gruppi,DC=alpha,DC=local</AttributeValue>',
        ),
    });
    expect(claim.status).toBe(403);
    // Where only the assertion is signed (ADFS' default), the unsigned envelope cannot carry a change either
    // (node-saml before 5.1.0 read the assertion from the unsigned document: CVE-2025-54419).
    const mario = await createUser(t.app, BETA, { email: 'mario@beta.test' });
    const other = await createUser(t.app, BETA, { email: 'sindaco@beta.test' });
    const envelope = await ssoSignIn(
      client(BETA),
      BETA,
      betaIdp,
      { upn: mario.email },
      {
        sign: 'assertion',
        edit: (xml) => xml.split(mario.email).join(other.email),
      },
    );
    expect(envelope.status).toBe(403);
    expect(envelope.text).toContain('la firma non è valida');
  });

  it('refuses unknown users where just-in-time creation is off, and blocked users everywhere', async () => {
    const unknown = await ssoSignIn(client(BETA), BETA, betaIdp, { upn: 'nessuno@beta.test' });
    expect(unknown.status).toBe(403);
    expect(unknown.text).toContain('Il tuo account non è abilitato su questo workspace');
    const blocked = await createUser(t.app, BETA, { email: 'bloccato@beta.test', blocked: true });
    const refused = await ssoSignIn(client(BETA), BETA, betaIdp, { upn: blocked.email });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Questo account è bloccato');
  });

  it('follows RelayState only to a relative path of the same site', async () => {
    const res = await ssoSignIn(client(ALPHA), ALPHA, alphaIdp, person('conti'), { relayState: '//evil.example/x' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('keeps the password form for administrators only where the workspace says so (web and API)', async () => {
    const admin = await createUser(t.app, ALPHA, { roles: ['admin'] });
    const operator = await createUser(t.app, ALPHA, { roles: ['operator'] });
    const refused = await signIn(client(ALPHA), operator.email, operator.password);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('L’accesso con e-mail e password è riservato agli amministratori');
    expect((await signIn(client(ALPHA), admin.email, admin.password)).status).toBe(303);
    const api = await request(t.app.getHttpServer())
      .post('/api/v1/auth/token')
      .set('Host', host(ALPHA))
      .send({ email: operator.email, password: operator.password });
    expect(api.status).toBe(403);
    expect(api.body.type).toBe('urn:pecflow:problem:local-login-disabled');
    // On a workspace with SSO and localLogin: all, everyone keeps the password form.
    const betaUser = await createUser(t.app, BETA);
    expect((await signIn(client(BETA), betaUser.email, betaUser.password)).status).toBe(303);
  });

  it('signs out at the IdP too: a signed LogoutRequest for the session, then the IdP answer back', async () => {
    const web = client(ALPHA);
    expect((await ssoSignIn(web, ALPHA, alphaIdp, person('esposito'))).status).toBe(303);
    expect((await web.get('/')).status).toBe(200);
    const out = await web.submit('/', '/auth/saml/logout', {});
    expect(out.status).toBe(303);
    const slo = new URL(out.headers.location!);
    expect(`${slo.origin}${slo.pathname}`).toBe(new URL(alphaIdp.sloUrl).origin + new URL(alphaIdp.sloUrl).pathname);
    expect(slo.searchParams.get('Signature')).toBeTruthy();
    // The pecflow session is over before the IdP even answers.
    expect((await web.get('/')).status).toBe(303);
    const metadata = await metadataOf(ALPHA);
    const answer = await alphaIdp.answerLogout(metadata, out.headers.location!);
    expect(answer.nameId).toBe('esposito@alpha.local');
    expect(answer.sessionIndex).toMatch(/^_/);
    const back = await web.post('/auth/saml/logout/callback', { ...answer.posted });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/login?signedOut=1');

    // A LogoutResponse signed by someone else is not taken for the IdP's.
    const again = client(ALPHA);
    await ssoSignIn(again, ALPHA, alphaIdp, person('esposito'));
    const out2 = await again.submit('/', '/auth/saml/logout', {});
    const forged = await alphaIdp.answerLogout(metadata, out2.headers.location!, betaIdp.keys[0]);
    const refused = await again.post('/auth/saml/logout/callback', { ...forged.posted });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('non ha confermato l’uscita');
  });

  it('signs out locally when the session did not come from the IdP', async () => {
    const admin = await createUser(t.app, ALPHA, { roles: ['admin'] });
    const web = client(ALPHA);
    await signIn(web, admin.email, admin.password);
    const out = await web.submit('/', '/auth/saml/logout', {});
    expect(out.headers.location).toBe('/login?signedOut=1');
    expect((await web.get('/')).status).toBe(303);
  });

  it('still protects its own sign-out form with the CSRF token', async () => {
    const web = client(ALPHA);
    await ssoSignIn(web, ALPHA, alphaIdp, person('romano'));
    expect((await web.post('/auth/saml/logout', {})).status).toBe(403);
    expect((await web.get('/')).status).toBe(200);
  });
});
