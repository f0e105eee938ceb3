import { completionData } from './task-form.js';

describe('completionData', () => {
  it('takes the filled name/value pairs, field.<name> inputs and the note', () => {
    expect(
      completionData({
        name1: ' esito ',
        value1: 'approvata',
        name2: '',
        value2: 'ignorato',
        'field.importo': '12',
        note: ' ok ',
        _csrf: 'x',
      }),
    ).toEqual({ esito: 'approvata', importo: '12', note: 'ok' });
  });

  it('refuses names a condition could not use', () => {
    expect(completionData({ name1: '1esito', value1: 'x' })).toBeUndefined();
    expect(completionData({ 'field.a b': 'x' })).toBeUndefined();
  });
});
