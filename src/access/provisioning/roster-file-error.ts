export type RosterFileErrorCode = 'unsupported-type' | 'unreadable' | 'empty' | 'no-header' | 'missing-column' | 'too-many-rows';

/** The file as a whole cannot be read, so there are no rows to report on; `code` is stable, `params` fill the message. */
export class RosterFileError extends Error {
  override readonly name = 'RosterFileError';

  constructor(
    readonly code: RosterFileErrorCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`roster file: ${code}${Object.keys(params).length > 0 ? ` ${JSON.stringify(params)}` : ''}`);
  }
}
