import { parseCsv } from './csv-parser.js';

describe('parseCsv', () => {
  it('reads quoted fields with separators, line breaks and doubled quotes inside', () => {
    const text = 'a;"b;c";"d\r\ne";"say ""ciao"""\r\nx;y;z;w\r\n';
    expect(parseCsv(text, ';').records).toEqual([
      ['a', 'b;c', 'd\r\ne', 'say "ciao"'],
      ['x', 'y', 'z', 'w'],
    ]);
  });

  it('keeps blank lines as records so that row numbers match Excel, and accepts LF, CR and CRLF', () => {
    expect(parseCsv('a\n\nb\rc\r\nd', ',').records).toEqual([['a'], [''], ['b'], ['c'], ['d']]);
  });

  it('keeps a trailing empty field and quotes in the middle of unquoted text', () => {
    expect(parseCsv('a;b;\nO"Brien;x', ';').records).toEqual([
      ['a', 'b', ''],
      ['O"Brien', 'x'],
    ]);
  });

  it('reads a quote after spaces as opening a field, and keeps text after a closing quote', () => {
    expect(parseCsv('a, "b,c" ,"d"e', ',').records).toEqual([['a', 'b,c ', 'de']]);
  });

  it('says where a quote never closes', () => {
    expect(parseCsv('a;b\n"c;d\ne;f\n', ';')).toEqual({ records: [['a', 'b']], unterminatedAt: 2 });
  });

  it('stops after the records asked for', () => {
    expect(parseCsv('a\nb\nc\n', ';', 2).records).toEqual([['a'], ['b']]);
  });
});
