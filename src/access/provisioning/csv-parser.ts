export interface CsvParse {
  /** Every record, blank lines included (as `['']`), so that index + 1 is the row Excel shows. */
  records: string[][];
  /** Set when a quoted field never closes: the 1-based record where it opened (everything after is in doubt). */
  unterminatedAt?: number;
}

/**
 * RFC 4180, read leniently the way Excel reads: a quote only opens a field at its start (spaces before it allowed, as
 * some tools write `a, "b"`), `""` inside quotes is a quote, text after a closing quote is kept, CRLF, LF or CR end a
 * record and line breaks inside quotes belong to the field.
 */
export function parseCsv(text: string, delimiter: string, maxRecords = Number.POSITIVE_INFINITY): CsvParse {
  const records: string[][] = [];
  const length = text.length;
  const endOfField = (from: number): number => {
    let index = from;
    while (index < length) {
      const char = text[index];
      if (char === delimiter || char === '\n' || char === '\r') break;
      index++;
    }
    return index;
  };

  let fields: string[] = [];
  let index = 0;
  while (index < length && records.length < maxRecords) {
    let start = index;
    while (text[start] === ' ') start++;
    let field: string;
    if (text[start] === '"') {
      field = '';
      index = start + 1;
      for (;;) {
        const quote = text.indexOf('"', index);
        if (quote < 0) return { records, unterminatedAt: records.length + 1 };
        field += text.slice(index, quote);
        index = quote + 1;
        if (text[index] !== '"') break;
        field += '"';
        index++;
      }
      const end = endOfField(index);
      field += text.slice(index, end);
      index = end;
    } else {
      const end = endOfField(index);
      field = text.slice(index, end);
      index = end;
    }
    fields.push(field);

    const next = text[index];
    if (next === delimiter) {
      index++;
      // "a;b;" ends with an empty field, not with nothing.
      if (index === length) fields.push('');
      else continue;
    } else if (next === '\r') index += text[index + 1] === '\n' ? 2 : 1;
    else if (next === '\n') index++;
    records.push(fields);
    fields = [];
  }
  return { records };
}
