import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.js';
import { signIn, WebClient } from '../support/web-client.js';
import { countMail } from '../support/local-mail.js';
import { correlateInbox } from '../support/pec-receipts.js';
import { addOfficeMailbox, startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

// Mailbox creation waits for Dovecot to re-read its users file (whole seconds).
// The throttle test waits for the provider's next minute.
jest.setTimeout(150_000);

interface MessageBody {
  id: string;
  status: string;
  messageId: string;
  providerId: string | null;
  recipients: { address: string; status: string; error: string | null; events: { kind: string; status: string; at: string }[] }[];
}
interface ProblemBody {
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

const tag = randomBytes(4).toString('hex');
const sender = { address: `protocollo-${tag}@pec.demo.test`, password: '' };
const recipient = { address: `ufficio-${tag}@pec.acme.test`, password: '' };
const office = `Protocollo PEC ${tag}`;
// The provider allows this one a single recipient a minute: the second PEC gets `451 4.7.1`.
const slow = { address: `lenta-${tag}@pec.demo.test`, password: '' };
const citizen = { address: `cittadino-${tag}@demo.test`, password: '' };

describe('sending PEC and correlating its receipts', () => {
  let t: TestApp;
  let provider: PecProviderHarness;
  let admin: ApiClient;
  let operator: ApiClient;
  let operatorWeb: WebClient;
  let reader: ApiClient;
  let acmeAdmin: ApiClient;
  let mailboxId: string;

  beforeAll(async () => {
    // The presa in carico of the recipient's gestore (pec.acme.test) is shown to the sender here.
    provider = await startPecProvider({
      PEC_PROVIDER_LATENCY_MS: '50',
      PEC_PROVIDER_MAX_BYTES: '50000',
      PEC_PROVIDER_SHOW_PROVIDER_NOTICES: 'true',
    });
    [sender.password, recipient.password, slow.password, citizen.password] = await Promise.all([
      provider.mailbox(sender.address),
      provider.mailbox(recipient.address),
      provider.mailbox(slow.address, { perMinute: 1, perDay: 100 }),
      provider.ordinaryMailbox(citizen.address),
    ]);
    // Retries after a throttle start at 0.5 s here (30 s by default).
    process.env.PEC_SEND_RETRY_MS = '500';
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const a = await createUser(t.app, 'demo', { roles: ['admin'] });
    const op = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const us = await createUser(t.app, 'demo', { grants: [{ role: 'user', office }] });
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    admin = await ApiClient.signIn(server, 'demo.localhost', a.email, a.password);
    operator = await ApiClient.signIn(server, 'demo.localhost', op.email, op.password);
    operatorWeb = new WebClient(server, 'demo.localhost');
    await signIn(operatorWeb, op.email, op.password);
    reader = await ApiClient.signIn(server, 'demo.localhost', us.email, us.password);
    acmeAdmin = await ApiClient.signIn(server, 'acme.localhost', acme.email, acme.password);
    mailboxId = await addOfficeMailbox(admin, provider, sender, office, { maxMessageMb: 1 });
  });

  afterAll(async () => {
    delete process.env.PEC_SEND_RETRY_MS;
    await t?.close();
    await provider?.close();
  });

  /** Feeds the sender's receipts to the correlator (each `copies` times a batch) until the message satisfies `done`. */
  async function until(id: string, done: (message: MessageBody) => boolean, copies = 1): Promise<MessageBody> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      await correlateInbox(t.app, 'demo', mailboxId, sender, copies);
      const message = (await operator.get(`/api/v1/messages/${id}`).expect(200)).body as MessageBody;
      if (done(message)) return message;
      if (Date.now() > deadline) throw new Error(`message ${id} still ${JSON.stringify(message.recipients)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const send = (body: Record<string, unknown>) =>
    operator.post('/api/v1/messages', { mailboxId, subject: `Prova ${tag}`, text: 'Buongiorno.', ...body });

  it('sends to a local mailbox: accepted, then delivered, with the timeline and the provider id', async () => {
    const { id } = (await send({ to: [recipient.address], subject: `Consegna ${tag}` }).expect(202)).body as { id: string };
    const message = await until(id, (m) => m.recipients[0]?.status === 'delivered');
    expect(message.status).toBe('delivered');
    expect(message.providerId).toMatch(/^opec.*@pec\.demo\.test$/);
    expect(message.messageId).toMatch(new RegExp(`^[0-9a-f]{40}@pec\\.demo\\.test$`));
    const kinds = message.recipients[0]!.events.map((event) => event.kind);
    expect(kinds).toEqual(['queued', 'sending', 'submitted', 'accettazione', 'presa-in-carico', 'avvenuta-consegna']);
    expect(message.recipients[0]!.events.map((event) => event.status)).toEqual([
      'queued',
      'sending',
      'sending',
      'accepted',
      'accepted',
      'delivered',
    ]);
    expect(await countMail(recipient.address, recipient.password, new RegExp(`^POSTA CERTIFICATA: Consegna ${tag}$`))).toBe(1);
  });

  it('marks an unknown mailbox of a local domain failed (no-dest) and an unknown domain failed (no-dominio)', async () => {
    const { id } = (
      await send({ to: [`nessuno-${tag}@pec.acme.test`, `qualcuno-${tag}@dominio-${tag}.test`], subject: `Ignoti ${tag}` }).expect(202)
    ).body as { id: string };
    const message = await until(id, (m) => m.recipients.every((r) => r.status === 'failed'));
    expect(message.recipients.map((r) => [r.address, r.status, r.error])).toEqual([
      [`nessuno-${tag}@pec.acme.test`, 'failed', 'no-dest'],
      [`qualcuno-${tag}@dominio-${tag}.test`, 'failed', 'no-dominio'],
    ]);
    expect(message.status).toBe('failed');
  });

  it('sends to an ordinary mailbox as esterno: final without a delivery receipt, the busta in its box', async () => {
    const { id } = (await send({ to: [citizen.address, recipient.address], subject: `Privato ${tag}` }).expect(202)).body as { id: string };
    const message = await until(id, (m) => m.recipients.every((r) => r.status === 'delivered' || r.status === 'external'));
    expect(message.recipients.map((r) => [r.address, r.status])).toEqual([
      [citizen.address, 'external'],
      [recipient.address, 'delivered'],
    ]);
    expect(message.status).toBe('partial');
    expect(await countMail(citizen.address, citizen.password, new RegExp(`^POSTA CERTIFICATA: Privato ${tag}$`))).toBe(1);
  });

  it('applies the same receipt twice as one event, and lists receipts that match nothing', async () => {
    const { id } = (await send({ to: [recipient.address], subject: `Doppia ${tag}` }).expect(202)).body as { id: string };
    // Each receipt twice in the same batch: the second copy is a duplicate of the first.
    const first = await until(id, (m) => m.recipients[0]?.status === 'delivered', 2);
    for (const kind of ['accettazione', 'avvenuta-consegna']) {
      expect(first.recipients[0]!.events.filter((event) => event.kind === kind)).toHaveLength(1);
    }
    const again = await correlateInbox(t.app, 'demo', mailboxId, sender);
    expect(again.every((result) => result.outcome === 'duplicate' || result.outcome === 'not-a-receipt')).toBe(true);
    const second = (await operator.get(`/api/v1/messages/${id}`).expect(200)).body as MessageBody;
    expect(second.recipients[0]!.events).toEqual(first.recipients[0]!.events);

    // A receipt of a message sent outside pecflow (straight to the provider) matches nothing: kept and listed.
    await provider.send(sender, {
      to: recipient.address,
      subject: `Da fuori ${tag}`,
      text: 'x',
      messageId: `<fuori-${tag}@pec.demo.test>`,
    });
    const deadline = Date.now() + 15_000;
    let unmatched: { referencesMessageId: string | null; kind: string }[] = [];
    while (!unmatched.some((r) => r.referencesMessageId === `fuori-${tag}@pec.demo.test`) && Date.now() < deadline) {
      await correlateInbox(t.app, 'demo', mailboxId, sender);
      unmatched = ((await operator.get('/api/v1/pec-receipts?matched=false').expect(200)).body as { receipts: typeof unmatched }).receipts;
    }
    expect(unmatched.filter((r) => r.referencesMessageId === `fuori-${tag}@pec.demo.test`).map((r) => r.kind)).toContain('accettazione');
    // The list shows each receipt's fields, and only those (not its source nor what the parser read).
    expect(Object.keys(unmatched[0]!).sort()).toEqual([
      'forwardedTo',
      'id',
      'kind',
      'mailboxId',
      'messageId',
      'providerId',
      'receiptMessageId',
      'receivedAt',
      'recipient',
      'referencesMessageId',
    ]);
  });

  it('refuses what the provider does not accept: size × recipients (non-accettazione) and an SMTP 552 (final, not retried)', async () => {
    // Under the provider's 50 KB once, over it times two recipients: accepted over SMTP, then an avviso di non accettazione.
    const { id } = (
      await send({
        to: [recipient.address],
        cc: [`copia-${tag}@pec.example.test`],
        subject: `Doppio peso ${tag}`,
        attachments: [{ filename: 'allegato.bin', contentBase64: randomBytes(30_000).toString('base64') }],
      }).expect(202)
    ).body as { id: string };
    const message = await until(id, (m) => m.recipients.every((r) => r.status === 'refused'));
    expect(message.status).toBe('refused');
    expect(message.recipients.map((r) => r.events.at(-1)!.kind)).toEqual(['non-accettazione', 'non-accettazione']);

    // Over the provider's 50 KB on its own: the SMTP server refuses the DATA with 552, a final answer.
    const big = (
      await send({
        to: [recipient.address],
        subject: `Troppo grande ${tag}`,
        attachments: [{ filename: 'grande.bin', contentBase64: randomBytes(45_000).toString('base64') }],
      }).expect(202)
    ).body as { id: string };
    const refused = await until(big.id, (m) => m.recipients[0]?.status === 'refused');
    expect(refused.recipients[0]!.events.map((event) => event.kind)).toEqual(['queued', 'sending', 'refused']);
    expect(refused.recipients[0]!.error).toMatch(/^552 /);
  });

  it('checks the mailbox profile: too many recipients (422) and size × recipients (413), in the user’s language', async () => {
    // About 60 KB to 20 recipients is over the mailbox's 1 MB.
    const attachment = randomBytes(45_000).toString('base64');
    const many = Array.from({ length: 20 }, (_, n) => `massa-${n}-${tag}@pec.example.test`);
    const tooLarge = (
      await send({ to: many, attachments: [{ filename: 'a.bin', contentBase64: attachment }] })
        .set('Accept-Language', 'en')
        .expect(413)
    ).body as ProblemBody;
    expect(tooLarge.detail).toMatch(/exceeds the 1 MB this mailbox may send/);
    const invalid = (await send({ to: ['non-un-indirizzo'] }).expect(422)).body as ProblemBody;
    expect(invalid.errors?.map((e) => e.field)).toEqual(['to.0']);
  });

  it('lets only who may send use the mailbox, lists messages by mailbox and text, and hides them from another workspace', async () => {
    await reader.post('/api/v1/messages', { mailboxId, to: [recipient.address], subject: 'x', text: 'y' }).expect(403);
    await acmeAdmin.post('/api/v1/messages', { mailboxId, to: [recipient.address], subject: 'x', text: 'y' }).expect(404);
    const listed = (await reader.get(`/api/v1/messages?mailboxId=${mailboxId}&direction=out&q=Consegna ${tag}`).expect(200)).body as {
      items: { id: string; subject: string }[];
      total: number;
    };
    expect(listed.items.map((item) => item.subject)).toEqual([`Consegna ${tag}`]);
    const id = listed.items[0]!.id;
    await acmeAdmin.get(`/api/v1/messages/${id}`).expect(404);
    expect(((await acmeAdmin.get('/api/v1/messages').expect(200)).body as { total: number }).total).toBe(0);
  });

  it('retries a provider throttle (451) later and sends the message once', async () => {
    const slowId = await addOfficeMailbox(admin, provider, slow, office);
    // The minute's one recipient goes to a PEC sent outside pecflow.
    await provider.send(slow, { to: recipient.address, subject: `Prima ${tag}`, text: 'x' });
    const { id } = (
      await operator
        .post('/api/v1/messages', { mailboxId: slowId, to: [recipient.address], subject: `Frenata ${tag}`, text: 'y' })
        .expect(202)
    ).body as { id: string };
    const deadline = Date.now() + 120_000;
    let message: MessageBody;
    for (;;) {
      await correlateInbox(t.app, 'demo', slowId, slow);
      message = (await operator.get(`/api/v1/messages/${id}`).expect(200)).body as MessageBody;
      if (message.recipients[0]!.status === 'delivered' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(message.recipients[0]!.status).toBe('delivered');
    const kinds = message.recipients[0]!.events.map((event) => event.kind);
    expect(kinds).toContain('throttled');
    expect(kinds.filter((kind) => kind === 'submitted')).toHaveLength(1);
    expect(await countMail(recipient.address, recipient.password, new RegExp(`^POSTA CERTIFICATA: Frenata ${tag}$`))).toBe(1);
  });

  it('sends a test PEC from the page and shows its recipients’ timeline, refreshed until final', async () => {
    const form = await operatorWeb.get('/pec/messages/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${mailboxId}">${sender.address}</option>`);
    const wrong = await operatorWeb.send('/pec/messages/new', {
      mailboxId,
      to: 'non-un-indirizzo',
      subject: 'x',
      text: 'y',
      receiptType: 'completa',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('to.0: Non è un indirizzo e-mail valido.');
    const sent = await operatorWeb.send('/pec/messages/new', {
      mailboxId,
      to: recipient.address,
      subject: `Dalla pagina ${tag}`,
      text: 'Prova.',
      receiptType: 'sintetica',
    });
    expect(sent.status).toBe(303);
    const id = sent.headers.location!.split('/').pop()!;
    await until(id, (m) => m.recipients[0]?.status === 'delivered');
    const page = await operatorWeb.get(`/pec/messages/${id}`);
    expect(page.text).toContain('ricevuta di accettazione');
    expect(page.text).toContain('ricevuta di avvenuta consegna');
    expect(page.text).toContain('Consegnato');
    // Every recipient final: the page stops polling.
    expect(page.text).not.toContain('hx-trigger="every 2s"');
  });
});
