/** A spreadsheet reduced to text, whatever file it came from: what the roster parser reads. */
export interface SheetRow {
  /** 1-based row number as the user sees it in Excel. */
  readonly row: number;
  readonly cells: readonly string[];
  /** Cells that link to a `mailto:` address, by column index: the address, for when the visible text is not one. */
  readonly mailto?: ReadonlyMap<number, string>;
}

/** Only rows with at least one non-empty cell, in file order. */
export type Sheet = readonly SheetRow[];

// Invisible characters that come along when addresses are pasted from web pages and mail clients.
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
const ODD_SPACES = /[\u00A0\u2007\u202F\t]/g;

/** Cell text as a person would read it: NFC (macOS writes decomposed accents), no invisible characters, LF line ends (VT too: FileMaker's), trimmed. */
export function cleanCell(text: string): string {
  return text
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(ODD_SPACES, ' ')
    .replace(/\r\n?|\v/g, '\n')
    .trim();
}

export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((cell) => cell === '');
}
