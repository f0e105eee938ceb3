import { ProblemException } from '../api/problem.js';
import { RosterFileError } from '../access/provisioning/roster-file-error.js';
import type { Locale } from '../i18n/locale.js';
import { isMessageKey, translate } from '../i18n/translate.js';
import type { ImportReport } from './user-import.js';

/** The report with a readable message beside each error's stable code, in the admin's language. */
export function describeImportErrors(report: ImportReport, locale: Locale) {
  return {
    ...report,
    rows: report.rows.map((row) => ({
      ...row,
      errors: row.errors.map((error) => {
        const key = `import.error.${error.code}`;
        return { ...error, message: isMessageKey(key) ? translate(locale, key, error.params) : error.code };
      }),
    })),
  };
}

/**
 * A file that cannot be read at all becomes a problem that says why, on the form field that carried it: 400 for
 * the roster upload (the file is the whole request), 422 where the file is one field among others (campaigns).
 */
export function rosterFileProblem(error: RosterFileError, locale: Locale, field = 'file', status: 400 | 422 = 400): ProblemException {
  const key = `import.file.${error.code}`;
  const detail = isMessageKey(key) ? translate(locale, key, error.params) : error.code;
  return new ProblemException(status, 'validation', detail, { errors: [{ field, message: detail }] });
}
