import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { checkSolution, loadSolutions, ModelFileError, type WorkflowFacts } from './model-loader.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The parts of the shipped help desk model these tests break on purpose. */
interface RawModel {
  resources?: unknown;
  entities: {
    ticket: {
      fields: Record<string, Record<string, unknown>>;
      list: { columns: string[] };
      detail: { fields: string[] };
      actions: { open: { process: string } };
    };
  };
  forms: Record<string, { entity?: string; fields: unknown[]; set: Record<string, unknown> }>;
}
const helpdesk = () => parse(readFileSync(path.join(ROOT, 'models/helpdesk/solution.yaml'), 'utf8')) as RawModel;
const facts = (): WorkflowFacts => ({ processKeys: new Set(['helpdesk-ticket']), formKeys: [] });
const FILE = 'models/helpdesk/solution.yaml';

function errorOf(raw: unknown, workflows = facts()): string {
  try {
    checkSolution('helpdesk', raw, workflows, FILE);
  } catch (error) {
    if (error instanceof ModelFileError) return error.message;
    throw error;
  }
  throw new Error('the model was accepted');
}

describe('solution model loader', () => {
  it('loads the shipped models with their workflows (help desk: entity, forms, BPMN form keys)', async () => {
    const solutions = await loadSolutions(path.join(ROOT, 'models'), path.join(ROOT, 'workflows'));
    const model = solutions.get('helpdesk')!;
    expect(Object.keys(model.entities)).toEqual(['ticket']);
    expect(model.forms.confirm!.fields[0]).toMatchObject({ name: 'status', recordField: true, required: true });
    expect(Object.keys(model.forms.confirm!.fields[0]!.options!)).toEqual(['closed', 'reopened']);
    // The platform file declares resources only: it is not a solution with records.
    expect(solutions.has('platform')).toBe(false);
  });

  it('stops on an unknown field type, naming the file and the path', () => {
    const raw = helpdesk();
    raw.entities.ticket.fields.title!.type = 'colour';
    expect(errorOf(raw)).toMatch(/^models\/helpdesk\/solution\.yaml: entities\.ticket\.fields\.title\.type: /);
  });

  it('stops on a view naming a missing field', () => {
    const raw = helpdesk();
    raw.entities.ticket.list.columns.push('owner');
    expect(errorOf(raw)).toBe(`${FILE}: entities.ticket.list.columns[6]: unknown field "owner"`);
    const detail = helpdesk();
    detail.entities.ticket.detail.fields = ['title', 'notes'];
    expect(errorOf(detail)).toBe(`${FILE}: entities.ticket.detail.fields[1]: unknown field "notes"`);
    const inherited = helpdesk();
    inherited.entities.ticket.list.columns = ['constructor'];
    expect(errorOf(inherited)).toBe(`${FILE}: entities.ticket.list.columns[0]: unknown field "constructor"`);
  });

  it('stops on a form referencing an unknown entity or field', () => {
    const raw = helpdesk();
    raw.forms.triage!.entity = 'incident';
    expect(errorOf(raw)).toBe(`${FILE}: forms.triage.entity: unknown entity "incident"`);
    const field = helpdesk();
    field.forms.work!.fields = [{ field: 'solution' }];
    expect(errorOf(field)).toBe(`${FILE}: forms.work.fields[0]: unknown field "solution" of entity "ticket"`);
    const option = helpdesk();
    option.forms.confirm!.fields = [{ field: 'status', options: ['closed', 'maybe'] }];
    expect(errorOf(option)).toBe(`${FILE}: forms.confirm.fields[0].options: "maybe" is not an option of field "status"`);
  });

  it('stops on an action naming an unknown process key', () => {
    const raw = helpdesk();
    raw.entities.ticket.actions.open.process = 'helpdesk-incident';
    expect(errorOf(raw)).toBe(
      `${FILE}: entities.ticket.actions.open.process: unknown process "helpdesk-incident" (no such process id in workflows/helpdesk/)`,
    );
  });

  it('stops on a BPMN form key naming no form, and on entities without access rules', () => {
    const workflows = facts();
    workflows.formKeys.push({ file: 'ticket.bpmn', elementId: 'Triage', formKey: 'helpdesk:smistamento' });
    expect(errorOf(helpdesk(), workflows)).toBe(
      `${FILE}: workflows/helpdesk/ticket.bpmn Triage: camunda:formKey "helpdesk:smistamento" names no form of this solution`,
    );
    const raw = helpdesk();
    delete raw.resources;
    expect(errorOf(raw)).toBe(`${FILE}: entities.ticket: no rules for resource "helpdesk.ticket" under resources (see, act)`);
  });

  it('stops on validation rules that do not fit the type and on constants the field refuses', () => {
    const raw = helpdesk();
    raw.entities.ticket.fields.priority!.maxLength = 3;
    expect(errorOf(raw)).toBe(
      `${FILE}: entities.ticket.fields.priority: minLength/maxLength/pattern apply to string, text and email fields only`,
    );
    const set = helpdesk();
    set.forms.work!.set.status = 'done';
    expect(errorOf(set)).toBe(`${FILE}: forms.work.set.status: "done" is not a value of this enum field`);
    const pattern = helpdesk();
    pattern.entities.ticket.fields.title!.pattern = '([';
    expect(errorOf(pattern)).toBe(`${FILE}: entities.ticket.fields.title.pattern: not a regular expression: ([`);
  });
});
