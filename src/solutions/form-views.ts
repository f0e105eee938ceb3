import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import type { TaskFormFieldView } from '../process/task-forms.js';
import type { FieldModel } from './solution-model.js';

const INPUT_TYPES: Partial<Record<FieldModel['type'], string>> = {
  integer: 'number',
  number: 'number',
  date: 'date',
  email: 'email',
};

/** The fields of a model form as the page partial `record-field` draws them, filled with `values`. */
export function fieldViews(fields: Record<string, FieldModel>, values: Record<string, unknown>, locale: Locale): TaskFormFieldView[] {
  return Object.entries(fields).map(([name, field]) => {
    const value = values[name];
    const text = textOf(value);
    return {
      name,
      label: field.label[locale],
      type: field.type,
      required: field.required,
      options: Object.entries(field.options ?? {}).map(([option, label]) => ({
        value: option,
        label: label[locale],
        selected: option === text,
      })),
      value: field.type === 'boolean' ? (value === true ? 'true' : '') : text,
      multiline: field.type === 'text',
      inputType: INPUT_TYPES[field.type] ?? 'text',
    };
  });
}

/** A stored value as a person reads it: enum labels, yes/no, dates in the user's language. */
export function displayValue(field: FieldModel, value: unknown, locale: Locale, names: Map<string, string>): string {
  const text = textOf(value);
  if (text === '') return '—';
  switch (field.type) {
    case 'enum':
      return field.options?.[text]?.[locale] ?? text;
    case 'boolean':
      return translate(locale, value === true ? 'solutions.yes' : 'solutions.no');
    case 'user':
    case 'office':
      return names.get(text) ?? text;
    case 'datetime':
      return new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
        dateStyle: 'short',
        timeStyle: 'short',
        timeZone: 'Europe/Rome',
      }).format(new Date(String(value)));
    default:
      return text;
  }
}

/** A stored scalar as text; anything else (the schema allows none) as JSON. */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}
