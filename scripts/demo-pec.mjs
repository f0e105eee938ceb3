// `npm run demo`, once pecflow answers: at the demo's first start, a few PEC between the demo
// mailboxes through the public API, so the mailboxes already hold arrived PEC and receipts
// (delivered, and one failed `no-dest`). Idempotent: nothing is sent when the workspace has any PEC.
import { request } from 'node:http';

const [origin, email, password] = process.argv.slice(2);
const { host, port } = new URL(origin);

/** node:http, because fetch does not let a request name its Host: the workspace is chosen by it. */
function call(method, path, body, token) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { host, 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(JSON.parse(text));
        else reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const { accessToken } = await call('POST', '/api/v1/auth/token', { email, password });
const { total } = await call('GET', '/api/v1/messages', undefined, accessToken);
if (total > 0) process.exit(0);
const { mailboxes } = await call('GET', '/api/v1/mailboxes', undefined, accessToken);
const box = (address) => {
  const found = mailboxes.find((m) => m.address === address);
  if (!found) throw new Error(`the demo seed has no mailbox ${address}`);
  return found.id;
};
const sends = [
  [
    'protocollo@pec.demo.test',
    'tributi@pec.demo.test',
    'Richiesta di rimborso TARI 2026',
    'Si trasmette la richiesta di rimborso del contribuente.',
  ],
  [
    'tributi@pec.demo.test',
    'protocollo@pec.demo.test',
    'Riscontro alla richiesta di rimborso TARI',
    'Pratica presa in carico dall’ufficio tributi.',
  ],
  [
    'protocollo@pec.demo.test',
    'nessuno@pec.demo.test',
    'Comunicazione a una casella inesistente',
    'Questa PEC mostra una mancata consegna (no-dest).',
  ],
];
for (const [from, to, subject, text] of sends) {
  await call('POST', '/api/v1/messages', { mailboxId: box(from), to: [to], cc: [], subject, text, receiptType: 'completa' }, accessToken);
}
console.log(`demo: ${sends.length} PEC sent between the demo mailboxes (their receipts arrive in a few seconds)`);
