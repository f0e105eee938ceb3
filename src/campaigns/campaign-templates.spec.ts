import { checkTemplates, compileTemplates } from './campaign-templates.js';

const columns = ['pec', 'nome', 'importo', 'Codice fiscale'];

describe('campaign templates', () => {
  it('requires the variables printed outside a condition on themselves', () => {
    const check = checkTemplates(
      { subject: 'Avviso per {{nome}}', html: '{{#if importo}}<b>{{importo}}</b>{{else}}{{[Codice fiscale]}}{{/if}}', text: null },
      columns,
    );
    expect(check.errors).toEqual([]);
    expect(check.required.sort()).toEqual(['Codice fiscale', 'nome']);
  });

  it('refuses unknown columns, helpers, partials, paths and prototype names', () => {
    const check = checkTemplates(
      {
        subject: '{{cognome}}',
        html: '{{> testata}}{{lookup nome "x"}}{{nome.length}}{{@index}}',
        text: '{{__proto__}}{{#with nome}}x{{/with}}',
      },
      columns,
    );
    expect(check.errors.map((error) => [error.field, error.code, Object.values(error.params)[0]])).toEqual([
      ['subject', 'unknown-variable', 'cognome'],
      ['html', 'unsupported', 'PartialStatement'],
      ['html', 'unsupported', 'lookup'],
      ['html', 'unsupported', 'nome.length'],
      ['html', 'unsupported', '@index'],
      ['text', 'unknown-variable', '__proto__'],
      ['text', 'unsupported', 'with'],
    ]);
  });

  it('escapes variables in HTML only and keeps the subject on one line', () => {
    const render = compileTemplates({ subject: 'Per {{nome}}', html: '<p>{{nome}}</p>', text: 'Caro {{nome}}' });
    expect(render({ nome: 'Anna & <Bea>\nRossi' })).toEqual({
      subject: 'Per Anna & <Bea> Rossi',
      html: '<p>Anna &amp; &lt;Bea&gt;\nRossi</p>',
      text: 'Caro Anna & <Bea>\nRossi',
    });
  });
});
