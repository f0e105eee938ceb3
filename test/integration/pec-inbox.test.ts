import { jest } from '@jest/globals';
import type { Job } from 'bullmq';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../src/db/tenant-context.js';
import { TenantScopedRepository } from '../../src/db/tenant-scoped.repository.js';
import { InboundMessage } from '../../src/pec/intake/inbound-message.entity.js';
import { sourceContext } from '../../src/pec/intake/intake-store.js';
import { fileContent } from '../../src/pec/store/incoming-content.js';
import { IncomingStore } from '../../src/pec/store/incoming-store.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { InboundJobs, type InboundJobData } from '../../src/pec/intake/inbound-jobs.js';
import { parsePec } from '../../src/pec/pec-parser.js';
import { LmtpDelivery } from '../../src/pec-provider/lmtp-delivery.js';
import { loadConfig } from '../../src/config/load-config.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { ApiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { readMailboxes } from '../support/pec-intake.js';
import { unzip } from '../support/unzip.js';
import { addOfficeMailbox, inbox, startPecProvider, waitForMessages, type PecProviderHarness } from '../support/pec-provider.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

// Mailbox creation waits for Dovecot to re-read its users file (whole seconds); a PEC goes through the provider.
jest.setTimeout(150_000);

interface Detail {
  id: string;
  direction: string;
  kind: string;
  status: string;
  subject: string;
  from: string;
  to: string[];
  messageId: string;
  providerId: string | null;
  recipients: unknown[];
  body: { text: string | null; html: string | null };
  attachments: { key: string; name: string; contentType: string; size: number; part: string; url: string }[];
  certified: { providerId: string | null; certifiedAt: string | null; sender: string | null } | null;
  signature: { status: string; signer: { emailAddresses: string[] } | null } | null;
}

const tag = randomBytes(4).toString('hex');
const office = `Protocollo in arrivo ${tag}`;
const ours = { address: `arrivi-${tag}@pec.demo.test`, password: '' };
const citizen = { address: `cittadino-${tag}@pec.acme.test`, password: '' };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000), Buffer.from('\n%%EOF\n')]);
const hostileHtml =
  '<p>Gentile ufficio, <b>in allegato</b> l’istanza.</p>' +
  '<script>alert("xss")</script>' +
  '<img src="https://tracker.esterno.test/pixel.gif" alt="logo del mittente">' +
  '<img src="x" onerror="alert(2)">' +
  '<a href="javascript:alert(3)">clic</a> <a href="https://www.esempio.test/info">informazioni</a>';

describe('incoming PEC in the message store: detail, files, sanitised body, reply', () => {
  let t: TestApp;
  let provider: PecProviderHarness;
  let operator: ApiClient;
  let operatorWeb: WebClient;
  let outsider: ApiClient;
  let acmeAdmin: ApiClient;
  let mailboxId: string;
  let intake: { stop(): Promise<void> };
  let incoming: Detail;

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '50' });
    [ours.password, citizen.password] = await Promise.all([provider.mailbox(ours.address), provider.mailbox(citizen.address)]);
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const a = await createUser(t.app, 'demo', { roles: ['admin'] });
    const op = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const other = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: `Altro ufficio ${tag}` }] });
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    const admin = await ApiClient.signIn(server, 'demo.localhost', a.email, a.password);
    operator = await ApiClient.signIn(server, 'demo.localhost', op.email, op.password);
    outsider = await ApiClient.signIn(server, 'demo.localhost', other.email, other.password);
    acmeAdmin = await ApiClient.signIn(server, 'acme.localhost', acme.email, acme.password);
    operatorWeb = new WebClient(server, 'demo.localhost');
    await signIn(operatorWeb, op.email, op.password);
    mailboxId = await addOfficeMailbox(admin, provider, ours, office, { maxMessageMb: 1 });
    intake = await readMailboxes(t.app, 'demo', [{ id: mailboxId, ...ours }]);

    // A citizen's PEC with an attachment and a hostile HTML part, through the provider into our INBOX.
    await provider.send(citizen, {
      to: ours.address,
      subject: `Istanza ${tag}`,
      text: 'Gentile ufficio, in allegato l’istanza.\nCordiali saluti',
      html: hostileHtml,
      attachments: [{ filename: 'istanza firmata.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    const listed = await eventually(async () => {
      const page = (await operator.get(`/api/v1/messages?direction=in&mailboxId=${mailboxId}`).expect(200)).body as {
        items: { id: string; subject: string }[];
      };
      return page.items.find((item) => item.subject === `Istanza ${tag}`);
    }, 30_000);
    incoming = (await operator.get(`/api/v1/messages/${listed.id}`).expect(200)).body as Detail;
  });

  afterAll(async () => {
    await intake?.stop();
    await t?.close();
    await provider?.close();
  });

  const inboundRows = async () =>
    (
      await t.app
        .get(DataSource)
        .query<{ id: string; kind: string }[]>(`SELECT id, kind FROM pec_inbound_messages WHERE mailbox_id = $1 ORDER BY uid`, [mailboxId])
    ).map((row) => row);

  it('stores the busta as the original message: its sender, subject, certification and signature, under the intake’s id', async () => {
    const busta = (await inboundRows()).find((row) => row.kind === 'posta-certificata')!;
    expect(incoming).toMatchObject({
      id: busta.id,
      direction: 'in',
      kind: 'posta-certificata',
      status: 'received',
      subject: `Istanza ${tag}`,
      from: citizen.address,
      to: [ours.address],
      recipients: [],
    });
    expect(incoming.certified!.sender).toBe(citizen.address);
    expect(incoming.certified!.providerId).toMatch(/^opec/);
    expect(incoming.providerId).toBe(incoming.certified!.providerId);
    expect(incoming.signature!.status).toBe('valid');
    expect(incoming.signature!.signer!.emailAddresses.length).toBeGreaterThan(0);
    expect(incoming.body.text).toContain('Cordiali saluti');
    // The body is sealed at rest.
    const stored = await t.app.get(DataSource).query<{ body: string }[]>(`SELECT body FROM pec_messages WHERE id = $1`, [incoming.id]);
    expect(stored[0]!.body).not.toContain('Cordiali');
  });

  it('serves the original’s attachment, daticert.xml, postacert.eml and the whole message as received', async () => {
    expect(incoming.attachments.map((file) => [file.name, file.part])).toEqual([
      ['istanza firmata.pdf', 'original'],
      ['daticert.xml', 'envelope'],
      ['postacert.eml', 'envelope'],
      ['message.eml', 'source'],
    ]);
    const download = (key: string) => operator.download(incoming.attachments.find((file) => file.key === key)!.url);
    const attachment = await download('0');
    expect(attachment.status).toBe(200);
    expect(attachment.headers['content-disposition']).toContain('attachment');
    expect(sha256(attachment.body)).toBe(sha256(pdf));
    expect((await download('daticert.xml')).body.toString()).toContain(`<mittente>${citizen.address}</mittente>`);
    expect((await download('postacert.eml')).body.toString()).toContain(`Subject: Istanza ${tag}`);
    const [server] = (await inbox(ours.address, ours.password)).filter((raw) => raw.includes(Buffer.from(`Istanza ${tag}`)));
    expect(sha256((await download('message.eml')).body)).toBe(sha256(server!));
    await operator.get(`/api/v1/messages/${incoming.id}/attachments/99`).expect(404);
  });

  it('never lets a script, an event handler or a remote image through, in the API or on the page', async () => {
    const html = incoming.body.html!;
    expect(html).toContain('<b>in allegato</b>');
    expect(html).toContain('href="https://www.esempio.test/info"');
    for (const body of [html, (await operatorWeb.get(`/pec/messages/${incoming.id}`)).text]) {
      expect(body).toContain('Gentile ufficio');
      expect(body).not.toMatch(/alert\(|onerror|javascript:|tracker\.esterno\.test/);
      expect(body).toContain('[logo del mittente]');
    }
  });

  it('stores each incoming message once (a replayed job, a second record), and ordinary mail as well', async () => {
    const tenant = await t.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug: 'demo' });
    const scope = { tenantId: tenant.id, slug: tenant.slug };
    await t.app.get(DataSource).query(`UPDATE pec_inbound_messages SET state = 'received' WHERE id = $1`, [incoming.id]);
    const job = { data: { tenant: scope, messageIds: [incoming.id] } } as Job<InboundJobData>;
    expect(await TenantContext.run(scope, () => t.app.get(InboundJobs).process(job))).toEqual({ processed: 1 });
    const again = await TenantContext.run(scope, async () => {
      const inbound = (await new TenantScopedRepository(t.app.get(DataSource), InboundMessage).findOne({ id: incoming.id }))!;
      const raw = t.app.get(SecretBox).openBytes(inbound.raw, sourceContext(inbound.id));
      return t.app.get(IncomingStore).record(inbound, await parsePec(raw), raw);
    });
    expect(again).toBe(false);
    const count = await t.app
      .get(DataSource)
      .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM pec_messages WHERE id = $1`, [incoming.id]);
    expect(count[0]!.n).toBe(1);

    // Ordinary mail straight into the INBOX (not PEC) is stored too, its From being the sender.
    const raw = Buffer.from(
      `From: Fornitore <fornitore-${tag}@esterno.test>\r\nTo: ${ours.address}\r\nSubject: Fattura ${tag}\r\n` +
        `Message-ID: <fattura-${tag}@esterno.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\nIn allegato la fattura.\r\n`,
    );
    await new LmtpDelivery(loadConfig().DOVECOT_LMTP_PORT).deliver(`fornitore-${tag}@esterno.test`, ours.address, raw);
    const ordinary = await eventually(async () => {
      const rows = await t.app
        .get(DataSource)
        .query<{ id: string; kind: string; from_address: string }[]>(
          `SELECT id, kind, from_address FROM pec_messages WHERE mailbox_id = $1 AND subject = $2`,
          [mailboxId, `Fattura ${tag}`],
        );
      return rows[0];
    }, 20_000);
    expect(ordinary).toMatchObject({ kind: 'not-pec', from_address: `fornitore-${tag}@esterno.test` });
    const rows = await inboundRows();
    expect(rows.find((row) => row.id === ordinary.id)?.kind).toBe('not-pec');
  });

  it('replies as PEC from the mailbox it arrived in: prefilled form, In-Reply-To and References as the citizen receives them, its receipts not stored as messages', async () => {
    const form = (await operatorWeb.get(`/pec/messages/new?replyTo=${incoming.id}`)).text;
    expect(form).toContain(`value="${citizen.address}"`);
    expect(form).toContain(`value="Re: Istanza ${tag}"`);
    expect(form).toContain('&gt; Cordiali saluti');
    expect(form).toContain(`name="replyTo" value="${incoming.id}"`);
    expect(form).toMatch(new RegExp(`<option value="${mailboxId}" selected>`));

    const note = Buffer.from('Ricevuta protocollo n. 7\n');
    const sent = await operator
      .multipart(
        '/api/v1/messages',
        { mailboxId, to: citizen.address, subject: `Re: Istanza ${tag}`, text: 'Protocollata.', replyTo: incoming.id },
        [{ field: 'attachments', content: note, name: 'protocollo.txt' }],
      )
      .expect(202);
    const { id } = sent.body as { id: string };
    const [busta] = await waitForMessages(
      citizen.address,
      citizen.password,
      (raw) => raw.includes(Buffer.from(`POSTA CERTIFICATA: Re: Istanza ${tag}`)),
      1,
      30_000,
    );
    const parsed = await parsePec(busta!);
    expect(parsed.kind).toBe('posta-certificata');
    expect(parsed.original!.inReplyTo).toBe(incoming.messageId);
    expect(parsed.original!.references).toContain(incoming.messageId);
    expect(parsed.original!.attachments.map((file) => [file.filename, file.sha256])).toEqual([['protocollo.txt', sha256(note)]]);

    // Its receipts reach our mailbox through the same intake: they move the reply's recipient, they are not messages.
    const delivered = await eventually(async () => {
      const body = (await operator.get(`/api/v1/messages/${id}`).expect(200)).body as Detail & { recipients: { status: string }[] };
      return body.recipients[0]?.status === 'delivered' && body;
    }, 30_000);
    const receipts = (await inboundRows()).filter((row) => ['accettazione', 'avvenuta-consegna'].includes(row.kind));
    expect(receipts).toHaveLength(2);
    const stored = await t.app
      .get(DataSource)
      .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM pec_messages WHERE id = ANY($1)`, [receipts.map((row) => row.id)]);
    expect(stored[0]!.n).toBe(0);
    // Their sources are kept once, by the intake's rows: the receipts point at them, and export them byte for byte.
    const applied = await t.app
      .get(DataSource)
      .query<{ id: string; copy: boolean; inbound: string }[]>(
        `SELECT id, source IS NOT NULL AS copy, inbound_message_id AS inbound FROM pec_receipts WHERE message_id = $1`,
        [id],
      );
    expect(applied.map((row) => [row.copy, row.inbound]).sort()).toEqual(receipts.map((row) => [false, row.id]).sort());
    const exported = unzip(
      (await operator.download(`/api/v1/messages/export.zip?entry=receipt&ids=${applied.map((row) => row.id).join(',')}`)).body,
    );
    const box = t.app.get(SecretBox);
    for (const row of applied) {
      const inbound = (
        await t.app.get(DataSource).query<{ raw: Buffer }[]>(`SELECT raw FROM pec_inbound_messages WHERE id = $1`, [row.inbound])
      )[0]!;
      const name = Object.keys(exported).find((file) => file.endsWith(`_${row.id}.eml`))!;
      expect(exported[name]!.equals(box.openBytes(inbound.raw, sourceContext(row.inbound)))).toBe(true);
    }

    const detail = delivered;
    expect(detail.direction).toBe('out');
    expect(detail.attachments.map((file) => file.name)).toEqual(['protocollo.txt', 'message.eml']);
  });

  it('forwards the message whole, as received, attached as .eml', async () => {
    const form = (await operatorWeb.get(`/pec/messages/new?forwardOf=${incoming.id}`)).text;
    expect(form).toContain(`value="Fwd: Istanza ${tag}"`);
    expect(form).toContain(`name="forwardOf" value="${incoming.id}"`);
    await operator
      .post('/api/v1/messages', {
        mailboxId,
        to: [citizen.address],
        subject: `Fwd: Istanza ${tag}`,
        text: 'Per competenza.',
        forwardOf: incoming.id,
      })
      .expect(202);
    const [busta] = await waitForMessages(
      citizen.address,
      citizen.password,
      (raw) => raw.includes(Buffer.from(`POSTA CERTIFICATA: Fwd: Istanza ${tag}`)),
      1,
      30_000,
    );
    const parsed = await parsePec(busta!);
    expect(parsed.original!.attachments.map((file) => [file.filename, file.contentType])).toEqual([
      [`Istanza ${tag}.eml`, 'message/rfc822'],
    ]);
    const attached = (await fileContent(busta!, parsed.kind, '0'))!.content.toString();
    expect(attached).toContain(`Subject: POSTA CERTIFICATA: Istanza ${tag}`);
    expect(attached).toContain('daticert.xml');
  });

  it('refuses attachments over the mailbox’s size × recipients before anything is sent, in Italian', async () => {
    const big = randomBytes(700 * 1024);
    const res = await operator
      .multipart('/api/v1/messages', { mailboxId, to: [citizen.address, `altro-${tag}@pec.acme.test`], subject: `Troppo ${tag}` }, [
        { field: 'attachments', content: big, name: 'grande.bin' },
      ])
      .expect(413);
    expect((res.body as { detail: string }).detail).toContain('supera i 1 MB ammessi da questa casella');
    const rows = await t.app
      .get(DataSource)
      .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM pec_messages WHERE subject = $1`, [`Troppo ${tag}`]);
    expect(rows[0]!.n).toBe(0);
    expect((await inbox(citizen.address, citizen.password)).some((raw) => raw.includes(Buffer.from(`Troppo ${tag}`)))).toBe(false);
  });

  it('hides the message and its files from other offices (404) and other workspaces (404)', async () => {
    for (const client of [outsider, acmeAdmin]) {
      await client.get(`/api/v1/messages/${incoming.id}`).expect(404);
      await client.get(`/api/v1/messages/${incoming.id}/attachments/0`).expect(404);
    }
    await outsider.post('/api/v1/messages', { mailboxId, to: [citizen.address], subject: 'x', replyTo: incoming.id }).expect(404);
  });
});
