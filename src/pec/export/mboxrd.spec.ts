import { mboxrdEntry } from './mboxrd.js';

describe('mboxrdEntry', () => {
  it('writes the separator, LF line ends and quotes every >*From line with one more >', () => {
    const source = Buffer.from('Subject: prova\r\n\r\nFrom me\r\n>From you\r\nnot From here\r\n');
    const entry = mboxrdEntry(source, 'ufficio@pec.demo.test', new Date('2026-11-06T06:28:46Z')).toString();
    expect(entry).toBe('From ufficio@pec.demo.test Fri Nov  6 06:28:46 2026\nSubject: prova\n\n>From me\n>>From you\nnot From here\n\n');
  });

  it('keeps non-UTF-8 bytes as they are and ends an unterminated message with a line end', () => {
    const source = Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), Buffer.from([0xe8, 0xff])]);
    const entry = mboxrdEntry(source, '', new Date('2026-11-26T10:00:00Z'));
    expect(entry.subarray(entry.indexOf('\n\n') + 2)).toEqual(Buffer.from([0xe8, 0xff, 0x0a, 0x0a]));
    expect(entry.toString('latin1').startsWith('From MAILER-DAEMON Thu Nov 26 10:00:00 2026\n')).toBe(true);
  });
});
