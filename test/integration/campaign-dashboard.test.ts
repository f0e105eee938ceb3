import { jest } from '@jest/globals';
import JSZip from 'jszip';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.js';
import { zip } from '../support/campaign-files.js';
import { setRecipientStates } from '../support/campaign-recipients.js';
import { addOfficeMailbox, startPecProvider, waitForMessages, type PecProviderHarness } from '../support/pec-provider.js';
import { correlateInbox } from '../support/pec-receipts.js';
import { eventually } from '../support/eventually.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

// Mailbox creation waits for Dovecot; the receipts test waits for the provider's two receipts.
jest.setTimeout(120_000);

interface Counts {
  total: number;
  queued: number;
  sending: number;
  sent: number;
  accepted: number;
  delivered: number;
  failed: number;
  warned: number;
  invalid: number;
}
interface RecipientRow {
  row: number;
  address: string;
  state: string;
  errorCode: string | null;
  messageId: string;
  times: Record<string, string | null>;
}
interface RecipientPage {
  recipients: RecipientRow[];
  next: number | null;
}

// Letters only: the text search matches row numbers too, so no digit may appear in an address by chance.
const tag = randomBytes(4)
  .toString('hex')
  .replace(/\d/g, (digit) => 'ghijklmnop'[Number(digit)]!);
const office = `Cruscotto ${tag}`;
const otherOffice = `Altro cruscotto ${tag}`;
const sender = { address: `cruscotto-${tag}@pec.demo.test`, password: '' };
const addr = (name: string) => `${name}-${tag}@pec.example.test`;
const NAMES = ['uno', 'due', 'tre', 'quattro', 'cinque', 'sei'];
const at = (time: string) => new Date(`2026-11-26T${time}Z`);

describe('campaign dashboard: counts, curve, drill-down, resend of the failed, receipts ZIP', () => {
  let t: TestApp;
  let provider: PecProviderHarness;
  let operator: ApiClient;
  let otherOperator: ApiClient;
  let acmeAdmin: ApiClient;
  let mailboxId: string;
  let campaignId: string;
  let resentId: string;

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    sender.password = await provider.mailbox(sender.address);
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const admin = await createUser(t.app, 'demo', { roles: ['admin'] });
    const op = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const other = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: otherOffice }] });
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    const adminApi = await ApiClient.signIn(server, 'demo.localhost', admin.email, admin.password);
    operator = await ApiClient.signIn(server, 'demo.localhost', op.email, op.password);
    otherOperator = await ApiClient.signIn(server, 'demo.localhost', other.email, other.password);
    acmeAdmin = await ApiClient.signIn(server, 'acme.localhost', acme.email, acme.password);
    mailboxId = await addOfficeMailbox(adminApi, provider, sender, office);

    // Rows 2–7 of the sheet, each with its own attachment, plus one attachment for everyone.
    const csv = ['pec;nome;allegato', ...NAMES.map((name) => `${addr(name)};${name.toUpperCase()};${name}.txt`)].join('\r\n');
    const files = await zip(Object.fromEntries(NAMES.map((name) => [`${name}.txt`, `allegato di ${name}`])));
    const created = await operator
      .multipart(
        '/api/v1/campaigns',
        { mailboxId, name: `Cruscotto ${tag}`, subject: 'Avviso per {{nome}}', text: 'Gentile {{nome}}', attachmentColumn: 'allegato' },
        [
          { field: 'recipients', content: Buffer.from(csv), name: 'avvisi.csv' },
          { field: 'attachments', content: Buffer.from('informativa'), name: 'informativa.txt' },
          { field: 'recipientAttachments', content: files, name: 'allegati.zip' },
        ],
      )
      .expect(201);
    expect(created.body).toMatchObject({ recipients: 6, invalid: 0 });
    campaignId = (created.body as { id: string }).id;

    // What the sending pipeline and the receipts would have written by now (fixture through the repository).
    await setRecipientStates(t.app, 'demo', campaignId, {
      2: { state: 'delivered', sentAt: at('09:00:10'), acceptedAt: at('09:00:12'), deliveredAt: at('09:01:00'), providerId: 'opec-1' },
      3: { state: 'failed', sentAt: at('09:00:40'), failedAt: at('09:02:00'), errorCode: '5.1.1', errorText: 'utente sconosciuto' },
      4: { state: 'failed-timeout', sentAt: at('09:01:05'), failedAt: at('09:03:10'), errorCode: '5.4.1', errorText: 'tempo scaduto' },
      5: { state: 'accepted', sentAt: at('09:01:30'), acceptedAt: at('09:01:31') },
      7: { state: 'warned', sentAt: at('09:03:00'), warnedAt: at('09:03:30') },
    });
  });

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  const page = async (client: ApiClient, query: string) =>
    (await client.get(`/api/v1/campaigns/${campaignId}/recipients?${query}`).expect(200)).body as RecipientPage;
  const rowsOf = (body: RecipientPage) => body.recipients.map((recipient) => recipient.row);

  it('counts the recipients per state and draws the per-minute sending and delivery curve from their timestamps', async () => {
    const res = await operator.get(`/api/v1/campaigns/${campaignId}/dashboard`).expect(200);
    const body = res.body as { counts: Counts; curve: { bucketMinutes: number; points: unknown[] } };
    expect(body.counts).toEqual({ total: 6, queued: 1, sending: 0, sent: 0, accepted: 1, delivered: 1, failed: 2, warned: 1, invalid: 0 });
    expect(body.curve).toEqual({
      bucketMinutes: 1,
      points: [
        { at: '2026-11-26T09:00:00.000Z', sent: 2, delivered: 0, failed: 0 },
        { at: '2026-11-26T09:01:00.000Z', sent: 2, delivered: 1, failed: 0 },
        { at: '2026-11-26T09:02:00.000Z', sent: 0, delivered: 0, failed: 1 },
        { at: '2026-11-26T09:03:00.000Z', sent: 1, delivered: 0, failed: 1 },
      ],
    });
  });

  it('lists the recipients filtered by state, error code and text (address or row), in keyset pages', async () => {
    expect(rowsOf(await page(operator, 'state=failed'))).toEqual([3, 4]);
    expect(rowsOf(await page(operator, 'state=failed-timeout'))).toEqual([4]);
    expect(rowsOf(await page(operator, 'state=queued'))).toEqual([6]);
    expect(rowsOf(await page(operator, 'error=5.1.1'))).toEqual([3]);
    expect(rowsOf(await page(operator, `q=${encodeURIComponent(`QUATTRO-${tag}`)}`))).toEqual([5]);
    expect(rowsOf(await page(operator, 'q=7'))).toEqual([7]);
    expect(rowsOf(await page(operator, 'state=failed&q=tre'))).toEqual([4]);

    const failed = (await page(operator, 'state=failed')).recipients[0]!;
    expect(failed).toMatchObject({
      address: addr('due'),
      state: 'failed',
      errorCode: '5.1.1',
      messageId: `campaign.${campaignId}.3@pec.demo.test`,
      times: { sentAt: '2026-11-26T09:00:40.000Z', failedAt: '2026-11-26T09:02:00.000Z', deliveredAt: null },
    });

    const first = await page(operator, 'limit=2');
    expect([rowsOf(first), first.next]).toEqual([[2, 3], 3]);
    const second = await page(operator, `limit=2&after=${first.next}`);
    expect([rowsOf(second), second.next]).toEqual([[4, 5], 5]);
    const last = await page(operator, `limit=2&after=${second.next}`);
    expect([rowsOf(last), last.next]).toEqual([[6, 7], null]);

    const wrong = await operator.get(`/api/v1/campaigns/${campaignId}/recipients?state=lost&limit=0`).expect(422);
    expect((wrong.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['limit', 'state']);
  });

  it('resends the failed recipients as a new draft: their rows, variables and attachments, new Message-IDs', async () => {
    const res = await operator.post(`/api/v1/campaigns/${campaignId}/resend-failed`).expect(201);
    const resent = res.body as { id: string; recipients: number };
    expect(resent.recipients).toBe(2);
    resentId = resent.id;

    const draft = (await operator.get(`/api/v1/campaigns/${resentId}`).expect(200)).body as {
      name: string;
      status: string;
      recipients: number;
      invalid: number;
      counts: Counts;
      attachments: { filename: string; size: number }[];
      recipientAttachments: number;
      templates: { subject: string; text: string | null };
    };
    expect(draft).toMatchObject({
      name: `Cruscotto ${tag} — reinvio ai non consegnati`,
      status: 'draft',
      recipients: 2,
      invalid: 0,
      counts: { total: 2, queued: 2, failed: 0 },
      attachments: [{ filename: 'informativa.txt', size: 11 }],
      recipientAttachments: 2,
      templates: { subject: 'Avviso per {{nome}}', text: 'Gentile {{nome}}' },
    });
    const rows = (await operator.get(`/api/v1/campaigns/${resentId}/recipients`).expect(200)).body as RecipientPage;
    expect(rows.recipients.map(({ row, address, state, messageId }) => ({ row, address, state, messageId }))).toEqual([
      { row: 3, address: addr('due'), state: 'queued', messageId: `campaign.${resentId}.3@pec.demo.test` },
      { row: 4, address: addr('tre'), state: 'queued', messageId: `campaign.${resentId}.4@pec.demo.test` },
    ]);
    // The variables were opened with the old campaign's context and sealed with the new one's: the preview renders them.
    const preview = (await operator.get(`/api/v1/campaigns/${resentId}/preview?row=4`).expect(200)).body as { text: string };
    expect(preview.text).toBe('Gentile TRE');

    // The original is untouched; a campaign without failures has nothing to resend.
    const original = (await operator.get(`/api/v1/campaigns/${campaignId}/dashboard`).expect(200)).body as { counts: Counts };
    expect(original.counts.failed).toBe(2);
    const none = await operator.post(`/api/v1/campaigns/${resentId}/resend-failed`).expect(409);
    expect((none.body as { detail: string }).detail).toBe('La campagna non ha destinatari non consegnati da inviare di nuovo.');
  });

  it('zips the receipts the provider sent about the recipients’ Message-IDs, one folder per recipient', async () => {
    const empty = await operator.download(`/api/v1/campaigns/${campaignId}/receipts.zip`);
    expect(empty.status).toBe(200);
    expect(Object.keys((await JSZip.loadAsync(empty.body)).files)).toEqual([]);

    // Real receipts: row 2's PEC submitted to the local provider with its deterministic Message-ID, as the pipeline will.
    const messageId = `campaign.${campaignId}.2@pec.demo.test`;
    await provider.send(sender, { to: addr('uno'), subject: 'Avviso per UNO', text: 'Gentile UNO', messageId: `<${messageId}>` });
    await waitForMessages(sender.address, sender.password, (raw) => raw.toString('latin1').includes(messageId), 2);
    await correlateInbox(t.app, 'demo', mailboxId, sender);

    // The workspace's own intake reads the same mailbox meanwhile: the ZIP shows both receipts once they are stored.
    const { archive, names } = await eventually(async () => {
      const res = await operator.download(`/api/v1/campaigns/${campaignId}/receipts.zip`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/zip');
      const zipped = await JSZip.loadAsync(res.body);
      const listed = Object.keys(zipped.files).sort();
      return listed.length === 2 && { archive: zipped, names: listed };
    }, 20_000);
    expect(names.every((name) => name.startsWith(`2_${addr('uno')}/`) && name.endsWith('.eml'))).toBe(true);
    expect(names.some((name) => name.includes('_accettazione_'))).toBe(true);
    expect(names.some((name) => name.includes('_avvenuta-consegna_'))).toBe(true);
    for (const name of names) {
      const eml = await archive.file(name)!.async('string');
      expect(eml).toMatch(new RegExp(`X-Riferimento-Message-ID: <${messageId.replace(/\./g, '\\.')}>`, 'i'));
      // Each file holds the receipt its name says: the sources of a batch are not mixed up.
      expect(eml).toMatch(new RegExp(`^X-Ricevuta: ${/_(accettazione|avvenuta-consegna)_/.exec(name)![1]}\\s*$`, 'im'));
    }
  });

  it('shows the manager view of the campaigns one may see, with totals per state', async () => {
    const mine = (await operator.get('/api/v1/campaign-dashboard').expect(200)).body as {
      totals: Counts;
      campaigns: { id: string; counts: Counts }[];
    };
    expect(mine.campaigns.map((campaign) => campaign.id).sort()).toEqual([campaignId, resentId].sort());
    expect(mine.totals).toMatchObject({ total: 8, queued: 3, delivered: 1, failed: 2, accepted: 1, warned: 1 });
    const theirs = (await otherOperator.get('/api/v1/campaign-dashboard').expect(200)).body as { campaigns: { id: string }[] };
    expect(theirs.campaigns.map((campaign) => campaign.id)).not.toContain(campaignId);
  });

  it('answers 404 for a campaign of another office or another workspace', async () => {
    for (const client of [otherOperator, acmeAdmin]) {
      await client.get(`/api/v1/campaigns/${campaignId}/dashboard`).expect(404);
      await client.get(`/api/v1/campaigns/${campaignId}/recipients?state=failed`).expect(404);
      await client.post(`/api/v1/campaigns/${campaignId}/resend-failed`).expect(404);
      expect((await client.download(`/api/v1/campaigns/${campaignId}/receipts.zip`)).status).toBe(404);
    }
  });
});
