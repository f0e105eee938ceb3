// WHATWG Encoding index for 0x80-0x9F; every other byte is the Latin-1 code point. Node 20's
// TextDecoder('windows-1252') decodes these as C1 controls since 20.18.3 (nodejs/node#56542, #60888), losing €, ’, “, ” and –.
const HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** The code page of Italian Windows, used by Excel's plain "CSV" format. */
export function decodeWindows1252(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (char) => String.fromCharCode(HIGH[char.charCodeAt(0) - 0x80] ?? char.charCodeAt(0)));
}
