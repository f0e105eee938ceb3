import { parseEmail } from '../access/provisioning/roster-email.js';
import type { SheetRow } from '../access/provisioning/sheet.js';
import { encodedSize } from './campaign-size.js';
import type { RecipientHeader } from './recipient-sheet.js';

/** Why a row cannot be sent; `code` is stable (translated as `campaigns.row.<code>`), `column` names the cell. */
export interface RecipientError {
  column: string;
  code: 'required' | 'invalid-address' | 'duplicate' | 'missing-variable' | 'attachment-not-found' | 'too-large';
  params?: Record<string, string | number>;
}

/** A per-recipient attachment as the validator needs it: its stored id and plain size. */
export interface AttachmentRef {
  id: string;
  size: number;
}

export interface RecipientRules {
  header: RecipientHeader;
  /** Variables the templates print unconditionally: an empty cell there would send a PEC with a hole in it. */
  required: readonly string[];
  /** The column naming each row's file in the recipients ZIP, and the files by name. */
  attachments?: { column: number; files: ReadonlyMap<string, AttachmentRef> };
  /** Encoded bytes a row's own attachment may add before the message outgrows its limit (campaign-size.ts). */
  attachmentBudget: number;
}

export interface CheckedRecipient {
  row: number;
  address: string;
  variables: Record<string, string>;
  attachment: AttachmentRef | null;
  errors: RecipientError[];
}

/**
 * Validates rows one at a time, in file order (so it works on a stream): address syntax, the same address twice
 * in the file (the later row is the error: the first one stays sendable), empty required variables, and the
 * row's attachment (present in the ZIP, within the message size).
 */
export class RecipientValidator {
  private readonly firstRowByAddress = new Map<string, number>();
  private readonly addressColumn: string;
  private readonly required: { name: string; index: number }[];

  constructor(private readonly rules: RecipientRules) {
    const { columns, address } = rules.header;
    this.addressColumn = columns[address] ?? '';
    this.required = rules.required.map((name) => ({ name, index: columns.indexOf(name) }));
  }

  check(sheetRow: SheetRow): CheckedRecipient {
    const { columns, address: addressIndex } = this.rules.header;
    const cell = (index: number): string => sheetRow.cells[index] ?? '';
    const variables: Record<string, string> = {};
    columns.forEach((name, index) => {
      if (name !== '') variables[name] = cell(index);
    });

    const errors: RecipientError[] = [];
    const parsed = parseEmail(cell(addressIndex), sheetRow.mailto?.get(addressIndex));
    const address = parsed.email;
    const addressError = parsed.errors[0];
    if (addressError) {
      const code = addressError.code === 'required' ? 'required' : 'invalid-address';
      errors.push({ column: this.addressColumn, code, params: { value: address.slice(0, 80) } });
    } else {
      const firstRow = this.firstRowByAddress.get(address);
      if (firstRow === undefined) this.firstRowByAddress.set(address, sheetRow.row);
      else errors.push({ column: this.addressColumn, code: 'duplicate', params: { firstRow } });
      // The address column is a variable too, holding the address as it will be used.
      variables[this.addressColumn] = address;
    }
    for (const { name, index } of this.required) {
      if (index !== addressIndex && cell(index) === '') errors.push({ column: name, code: 'missing-variable' });
    }
    return { row: sheetRow.row, address, variables, attachment: this.attachment(cell, errors), errors };
  }

  private attachment(cell: (index: number) => string, errors: RecipientError[]): AttachmentRef | null {
    const spec = this.rules.attachments;
    if (!spec) return null;
    const column = this.rules.header.columns[spec.column] ?? '';
    const name = cell(spec.column);
    if (name === '') return null;
    // Matched by file name, case aside: the cell may carry the folder it had on the author's disk.
    const file = spec.files.get(name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).toLowerCase());
    if (!file) {
      errors.push({ column, code: 'attachment-not-found', params: { value: name } });
      return null;
    }
    if (encodedSize(file.size) > this.rules.attachmentBudget) {
      errors.push({ column, code: 'too-large', params: { value: name, size: file.size, max: Math.max(0, this.rules.attachmentBudget) } });
    }
    return file;
  }
}
