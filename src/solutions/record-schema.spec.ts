import { coerceFormInput, fieldErrors, schemaOf } from './record-schema.js';
import type { FieldModel } from './solution-model.js';

const label = { it: 'Campo', en: 'Field' };
const fields: Record<string, FieldModel> = {
  title: { type: 'string', label, required: true, maxLength: 10, pattern: '^[A-Z]' },
  count: { type: 'integer', label, required: false, min: 1, max: 5 },
  when: { type: 'date', label, required: false },
  mail: { type: 'email', label, required: false },
  kind: { type: 'enum', label, required: true, options: { a: label, b: label } },
  done: { type: 'boolean', label, required: false },
  owner: { type: 'user', label, required: false },
};

describe('record JSON Schema', () => {
  it('is generated from the fields: types, formats, limits, required, nothing else allowed', () => {
    expect(schemaOf(fields)).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['title', 'kind'],
      properties: {
        title: { type: 'string', minLength: 1, maxLength: 10, pattern: '^[A-Z]' },
        count: { type: 'integer', minimum: 1, maximum: 5 },
        when: { type: 'string', format: 'date' },
        mail: { type: 'string', format: 'email', minLength: 0, maxLength: 320 },
        kind: { type: 'string', enum: ['a', 'b'] },
        done: { type: 'boolean' },
        owner: { type: 'string', format: 'uuid' },
      },
    });
    expect(schemaOf(fields, { partial: true })).not.toHaveProperty('required');
  });

  it('lists one error per field, in the language asked for', () => {
    const data = { title: 'lowercase', count: 9, when: '31/12/2026', mail: 'nope', kind: 'c', extra: 1, owner: 'x' };
    expect(fieldErrors(schemaOf(fields), data, 'it')).toEqual([
      { field: 'extra', message: 'Campo sconosciuto' },
      { field: 'title', message: 'Formato non valido' },
      { field: 'count', message: 'Il valore massimo è 5' },
      { field: 'when', message: 'Data non valida (AAAA-MM-GG)' },
      { field: 'mail', message: 'Indirizzo e-mail non valido' },
      { field: 'kind', message: 'Valore non previsto tra le opzioni' },
      { field: 'owner', message: 'Riferimento non valido' },
    ]);
    expect(fieldErrors(schemaOf(fields), {}, 'en')).toEqual([
      { field: 'title', message: 'Required field' },
      { field: 'kind', message: 'Required field' },
    ]);
    expect(fieldErrors(schemaOf(fields), { title: 'Ok', kind: 'a', count: 2, done: true }, 'en')).toEqual([]);
  });

  it('reads HTML form text by field type and drops blank inputs', () => {
    expect(coerceFormInput(fields, { title: ' Titolo ', count: '3', done: 'true', when: '', kind: 'a', stray: 'x' })).toEqual({
      title: 'Titolo',
      count: 3,
      done: true,
      kind: 'a',
    });
  });
});
