import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { readBpmn } from '../process/bpmn-reader.js';
import { listOf, textOf } from '../process/bpmn-tree.js';
import {
  RECORD_COLUMNS,
  solutionFileSchema,
  type EntityModel,
  type FieldModel,
  type FormFieldModel,
  type FormModel,
  type SolutionFile,
  type SolutionModel,
} from './solution-model.js';

/** A solution.yaml that cannot be served: names the file and the path in it, so loading stops before any request. */
export class ModelFileError extends Error {}

/** What the loader learns from workflows/<solution>/*.bpmn: process keys, and the form keys of user tasks by file. */
export interface WorkflowFacts {
  processKeys: Set<string>;
  formKeys: { file: string; elementId: string; formKey: string }[];
}

const STRING_TYPES = new Set(['string', 'text', 'email']);
const NUMBER_TYPES = new Set(['integer', 'number']);
/** Filters are equality tests answered by the GIN index (`data @> {...}`): free text is not among them. */
const FILTER_TYPES = new Set(['string', 'email', 'enum', 'boolean', 'integer', 'user', 'office', 'date']);

/** Reads every models/<solution>/solution.yaml that declares entities or forms. */
export async function loadSolutions(modelsDir: string, workflowsDir: string): Promise<Map<string, SolutionModel>> {
  const root = path.resolve(modelsDir);
  const solutions = new Map<string, SolutionModel>();
  const folders = (await readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  for (const key of folders.sort()) {
    const file = path.join(root, key, 'solution.yaml');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const workflows = await readWorkflowFacts(path.join(path.resolve(workflowsDir), key));
    const model = checkSolution(key, parse(text), workflows, path.relative(process.cwd(), file) || file);
    if (Object.keys(model.entities).length > 0 || Object.keys(model.forms).length > 0) solutions.set(key, model);
  }
  return solutions;
}

/** Validates one parsed solution.yaml; `file` only names it in errors. Exported for the unit tests. */
export function checkSolution(key: string, raw: unknown, workflows: WorkflowFacts, file: string): SolutionModel {
  const parsed = solutionFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFileError(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const fail = (at: string, message: string): never => {
    throw new ModelFileError(`${file}: ${at}: ${message}`);
  };
  const declared = resourceKeys(raw);
  for (const [entityKey, entity] of Object.entries(parsed.data.entities)) {
    checkEntity(key, entityKey, entity, parsed.data, workflows, declared, fail);
  }
  const forms: Record<string, FormModel> = {};
  for (const [formKey, form] of Object.entries(parsed.data.forms)) {
    forms[formKey] = resolveForm(formKey, form, parsed.data, fail);
  }
  for (const task of workflows.formKeys) {
    const [solution, form] = task.formKey.split(':');
    if (solution === key && (!form || !forms[form])) {
      fail(`workflows/${key}/${task.file} ${task.elementId}`, `camunda:formKey "${task.formKey}" names no form of this solution`);
    }
  }
  return { key, label: parsed.data.label ?? { it: parsed.data.name, en: parsed.data.name }, entities: parsed.data.entities, forms };
}

type Fail = (at: string, message: string) => never;

function checkEntity(
  solution: string,
  key: string,
  entity: EntityModel,
  file: SolutionFile,
  workflows: WorkflowFacts,
  declared: Set<string>,
  fail: Fail,
): void {
  const at = `entities.${key}`;
  if (!declared.has(`${solution}.${key}`)) fail(at, `no rules for resource "${solution}.${key}" under resources (see, act)`);
  for (const [name, field] of Object.entries(entity.fields)) checkField(`${at}.fields.${name}`, field, fail);
  const field = (where: string, name: string, extra: readonly string[] = []): FieldModel | undefined => {
    if (extra.includes(name)) return undefined;
    const found = own(entity.fields, name);
    if (!found) fail(where, `unknown field "${name}"`);
    return found;
  };
  const title = field(`${at}.title`, entity.title)!;
  if (!STRING_TYPES.has(title.type)) fail(`${at}.title`, `the title field must be a string, text or email field`);
  entity.list.columns.forEach((name, i) => field(`${at}.list.columns[${i}]`, name, RECORD_COLUMNS));
  entity.list.filters.forEach((name, i) => {
    const filter = field(`${at}.list.filters[${i}]`, name)!;
    if (!FILTER_TYPES.has(filter.type)) fail(`${at}.list.filters[${i}]`, `a ${filter.type} field cannot be a filter`);
  });
  field(`${at}.list.sort.field`, entity.list.sort.field, RECORD_COLUMNS);
  entity.detail.fields.forEach((name, i) => field(`${at}.detail.fields[${i}]`, name));
  const create = own(file.forms, entity.create);
  if (!create) fail(`${at}.create`, `unknown form "${entity.create}"`);
  else if (create.entity !== key) fail(`${at}.create`, `form "${entity.create}" is not a form of entity "${key}"`);
  for (const [actionKey, action] of Object.entries(entity.actions)) {
    const where = `${at}.actions.${actionKey}`;
    if (!workflows.processKeys.has(action.process)) {
      fail(`${where}.process`, `unknown process "${action.process}" (no such process id in workflows/${solution}/)`);
    }
    for (const [name, value] of Object.entries(action.set)) checkValue(`${where}.set.${name}`, field(`${where}.set`, name)!, value, fail);
  }
}

function checkField(at: string, field: FieldModel, fail: Fail): void {
  if (field.type === 'enum' && (!field.options || Object.keys(field.options).length === 0)) fail(at, 'an enum field needs options');
  if (field.type !== 'enum' && field.options) fail(`${at}.options`, 'only enum fields have options');
  if (!NUMBER_TYPES.has(field.type) && (field.min !== undefined || field.max !== undefined)) {
    fail(at, 'min/max apply to integer and number fields only');
  }
  if (!STRING_TYPES.has(field.type) && (field.minLength !== undefined || field.maxLength !== undefined || field.pattern !== undefined)) {
    fail(at, 'minLength/maxLength/pattern apply to string, text and email fields only');
  }
  if (field.pattern !== undefined) {
    try {
      new RegExp(field.pattern, 'u');
    } catch {
      fail(`${at}.pattern`, `not a regular expression: ${field.pattern}`);
    }
  }
  if (field.default === 'creator' && field.type === 'user') return;
  if (field.default !== undefined) checkValue(`${at}.default`, field, field.default, fail);
}

/** A constant the model writes into a field (default, set): it must be a value the field accepts. */
function checkValue(at: string, field: FieldModel, value: string | number | boolean, fail: Fail): void {
  const ok =
    field.type === 'enum'
      ? typeof value === 'string' && Object.hasOwn(field.options ?? {}, value)
      : field.type === 'boolean'
        ? typeof value === 'boolean'
        : NUMBER_TYPES.has(field.type)
          ? typeof value === 'number'
          : typeof value === 'string';
  if (!ok) fail(at, `${JSON.stringify(value)} is not a value of this ${field.type} field`);
}

function resolveForm(key: string, form: SolutionFile['forms'][string], file: SolutionFile, fail: Fail): FormModel {
  const at = `forms.${key}`;
  const entity = form.entity === undefined ? undefined : own(file.entities, form.entity);
  if (form.entity !== undefined && !entity) fail(`${at}.entity`, `unknown entity "${form.entity}"`);
  const fields: FormFieldModel[] = form.fields.map((entry, i) => {
    const where = `${at}.fields[${i}]`;
    if (typeof entry === 'object' && 'name' in entry) {
      const { name, ...local } = entry;
      checkField(where, local, fail);
      if (entity && own(entity.fields, name))
        fail(where, `"${name}" is a field of entity "${form.entity}": write it as { field: ${name} }`);
      return { ...local, name, recordField: false };
    }
    const ref = typeof entry === 'string' ? { field: entry } : entry;
    if (!entity) fail(where, `"${ref.field}" refers to an entity field, but the form has no entity`);
    const base = own(entity.fields, ref.field) ?? fail(where, `unknown field "${ref.field}" of entity "${form.entity}"`);
    let options = base.options;
    if (ref.options) {
      options = {};
      for (const option of ref.options) {
        const label = own(base.options ?? {}, option) ?? fail(`${where}.options`, `"${option}" is not an option of field "${ref.field}"`);
        options[option] = label;
      }
    }
    return { ...base, name: ref.field, required: ref.required ?? base.required, options, recordField: true };
  });
  const names = new Set<string>();
  for (const field of fields) {
    if (names.has(field.name)) fail(at, `field "${field.name}" appears twice`);
    names.add(field.name);
  }
  for (const [name, value] of Object.entries(form.set)) {
    const target =
      (entity && own(entity.fields, name)) ??
      fail(`${at}.set.${name}`, `unknown field "${name}"${form.entity ? ` of entity "${form.entity}"` : ''}`);
    checkValue(`${at}.set.${name}`, target, value, fail);
  }
  return { key, label: form.label, entity: form.entity ?? null, fields, set: form.set };
}

/** A model's own entry (a YAML name such as "constructor" must not find Object's prototype). */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function resourceKeys(raw: unknown): Set<string> {
  const resources = (raw as { resources?: unknown } | null)?.resources;
  return new Set(typeof resources === 'object' && resources !== null ? Object.keys(resources) : []);
}

/** The process ids and user-task form keys of a solution's BPMN files (the deploy step validates them fully). */
export async function readWorkflowFacts(folder: string): Promise<WorkflowFacts> {
  const facts: WorkflowFacts = { processKeys: new Set(), formKeys: [] };
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.bpmn')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return facts;
    throw error;
  }
  for (const name of names) {
    const read = await readBpmn(await readFile(path.join(folder, name), 'utf8'));
    if (!read.ok) continue;
    for (const element of listOf(read.definitions, 'rootElements').filter((e) => e.$type === 'bpmn:Process')) {
      if (element.id) facts.processKeys.add(element.id);
    }
    for (const element of Object.values(read.parsed.elementsById)) {
      const formKey = element.$type === 'bpmn:UserTask' ? textOf(element, 'formKey') : undefined;
      if (formKey) facts.formKeys.push({ file: name, elementId: element.id ?? '?', formKey });
    }
  }
  return facts;
}
