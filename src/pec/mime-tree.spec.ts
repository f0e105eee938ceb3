import { HeaderList, normaliseMessageId, parseParameterised } from './headers.js';
import { canonicalCrlf, decodedBody, parseMimeEntity, splitMultipart } from './mime-tree.js';

describe('MIME splitting for signature checks', () => {
  it('keeps each part byte for byte; the CRLF before a delimiter belongs to the delimiter', () => {
    const body = Buffer.from('preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nuno\r\n\r\n--b \r\nX: y\r\n\r\ndue\r\n--b--\r\nepilogue');
    const flags: string[] = [];
    const parts = splitMultipart(body, 'b', flags);
    expect(parts.map((p) => p.toString())).toEqual(['Content-Type: text/plain\r\n\r\nuno\r\n', 'X: y\r\n\r\ndue']);
    expect(flags).toEqual([]);
  });

  it('ignores lines that only start like the boundary, and keeps the last part of a truncated multipart', () => {
    const flags: string[] = [];
    const parts = splitMultipart(Buffer.from('--b\nA: 1\n\n--bb is text\n--b\nB: 2\n\ncut here'), 'b', flags);
    expect(parts.map((p) => p.toString())).toEqual(['A: 1\n\n--bb is text', 'B: 2\n\ncut here']);
    expect(flags).toEqual(['mime-multipart-unterminated:b']);
  });

  it('parses nested entities, a part without headers, and undoes base64 and quoted-printable', () => {
    const raw = Buffer.from(
      'Content-Type: multipart/mixed; boundary="o"\r\n\r\n--o\r\n\r\nno headers\r\n--o\r\nContent-Transfer-Encoding: base64\r\n\r\nY2lhbw==\r\n--o\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E8 una riga =\r\nspezzata\r\n--o--\r\n',
    );
    const flags: string[] = [];
    const entity = parseMimeEntity(raw, flags);
    expect(flags).toEqual([]);
    expect(entity.children.map((c) => c.contentType)).toEqual(['text/plain', 'text/plain', 'text/plain']);
    expect(entity.children[0]!.body.toString()).toBe('no headers');
    expect(decodedBody(entity.children[1]!).toString()).toBe('ciao');
    expect(decodedBody(entity.children[2]!).toString('latin1')).toBe('è una riga spezzata');
  });

  it('canonical form is CRLF everywhere', () => {
    expect(canonicalCrlf(Buffer.from('a\nb\r\nc\n')).toString()).toBe('a\r\nb\r\nc\r\n');
  });
});

describe('headers', () => {
  it('are unfolded and found whatever the case of their name', () => {
    const { headers, malformed } = HeaderList.parse(
      'X-Tiporicevuta: breve\r\nSubject: una\r\n\triga\r\nnot a header\r\nREM-ApplicablePolicy: a\r\nrem-applicablepolicy: b',
    );
    expect(headers.get('X-TipoRicevuta')).toBe('breve');
    expect(headers.get('subject')).toBe('una riga');
    expect(headers.all('REM-APPLICABLEPOLICY')).toEqual(['a', 'b']);
    expect(malformed).toBe(1);
  });

  it('parameters: quoted, unquoted, RFC 2231 encoded and continued', () => {
    expect(parseParameterised('Multipart/Signed; protocol="application/x-pkcs7-signature"; micalg=sha1; boundary="----AB;CD"')).toEqual({
      value: 'multipart/signed',
      params: { protocol: 'application/x-pkcs7-signature', micalg: 'sha1', boundary: '----AB;CD' },
    });
    expect(parseParameterised("attachment; filename*=UTF-8''fattura%20n%C2%B01.pdf").params['filename']).toBe('fattura n°1.pdf');
    expect(parseParameterised('attachment; filename*0="lungo-"; filename*1="nome.pdf"').params['filename']).toBe('lungo-nome.pdf');
  });

  it('Message-IDs are compared without angle brackets, case kept', () => {
    expect(normaliseMessageId(' <R43XS7$8A2B@pec.it> ')).toBe('R43XS7$8A2B@pec.it');
    expect(normaliseMessageId('<>')).toBeUndefined();
  });
});
