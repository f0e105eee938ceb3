/**
 * Italian time: what offices read and the zone PEC providers certify in (Europe/Rome, CET/CEST).
 * One formatter for the whole code base.
 */
const ROME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/**
 * The instant as Rome's wall clock shows it, in a Date's UTC fields (milliseconds kept). Also what a
 * spreadsheet cell should hold: Excel and LibreOffice cells have no time zone, and exceljs writes a
 * Date's UTC fields.
 */
export function romeWallClock(date: Date): Date {
  const parts = new Map(ROME.formatToParts(date).map((part) => [part.type, Number(part.value)]));
  const field = (type: Intl.DateTimeFormatPartTypes) => parts.get(type) ?? 0;
  return new Date(
    Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'), date.getUTCMilliseconds()),
  );
}

/** `26/11/2026` and `07:05:09` in Rome. */
export function romeDayAndTime(date: Date): { day: string; time: string } {
  const iso = romeWallClock(date).toISOString();
  return { day: `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`, time: iso.slice(11, 19) };
}

/** `26/11/2026 07:05:09` in Rome. */
export function romeText(date: Date): string {
  const { day, time } = romeDayAndTime(date);
  return `${day} ${time}`;
}
