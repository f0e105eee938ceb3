/**
 * One message as an mboxrd entry: the `From ` separator line with the envelope sender and date, the
 * message with LF line ends (mbox is a Unix format) and every line matching `>*From ` quoted with one
 * more `>` (so reading it back strips exactly one and the message is what it was), then a blank line.
 */
export function mboxrdEntry(source: Buffer, sender: string, date: Date): Buffer {
  const text = source.toString('latin1').replace(/\r\n/g, '\n');
  const quoted = text.replace(/^(>*From )/gm, '>$1');
  const separator = `From ${sender.replace(/\s/g, '') || 'MAILER-DAEMON'} ${asctime(date)}\n`;
  return Buffer.concat([
    Buffer.from(separator, 'latin1'),
    Buffer.from(quoted, 'latin1'),
    Buffer.from(quoted.endsWith('\n') ? '\n' : '\n\n', 'latin1'),
  ]);
}

/** `Thu Nov 26 06:28:46 2026`, in UTC, as mbox separators write dates. */
function asctime(date: Date): string {
  const [weekday, day, month, year, time] = date.toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${String(Number(day)).padStart(2, ' ')} ${time} ${year}`;
}
