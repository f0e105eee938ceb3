import { csvRow } from './csv.js';

describe('csvRow', () => {
  it('separates with semicolons and ends with CRLF', () => {
    expect(csvRow(['a', 2, 'città'])).toBe('a;2;città\r\n');
  });

  it('quotes fields holding the separator, quotes or line breaks, doubling the quotes', () => {
    expect(csvRow(['a;b', 'say "hi"', 'two\nlines', 'x\r\ny'])).toBe('"a;b";"say ""hi""";"two\nlines";"x\r\ny"\r\n');
  });

  it('keeps text that looks like a formula from running in a spreadsheet', () => {
    expect(csvRow(['=HYPERLINK("http://x")', '+39 06', '-1', '@sum', 'ok'])).toBe(`"'=HYPERLINK(""http://x"")";'+39 06;'-1;'@sum;ok\r\n`);
  });
});
