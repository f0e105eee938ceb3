import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import type { Locale } from '../i18n/locale.js';
import type { JsonObject } from '../process/process-instance.entity.js';
import type { AfterFormCommit, FormInput, TaskFormFieldView, TaskFormHandler } from '../process/task-forms.js';
import type { Task } from '../process/task.entity.js';
import { fieldViews } from './form-views.js';
import { coerceFormInput, fieldErrors, schemaOf, type JsonSchema } from './record-schema.js';
import { formFields, SolutionCatalogue } from './solution-catalogue.js';
import type { FormModel } from './solution-model.js';
import { SolutionRecords } from './solution-records.js';

/**
 * Task forms from the models: `camunda:formKey="<solution>:<form>"`. The submitted data is validated
 * against the form, the form's `set` values are added, and all of it goes to the process; the fields
 * that map onto the linked record's (the record the process was started for) are written to it in
 * the step's transaction, under the record's version: a record that no longer validates (422) or
 * that changed since it was read (409) fails the whole completion.
 */
@Injectable()
export class ModelTaskForms implements TaskFormHandler {
  private readonly schemas = new WeakMap<FormModel, JsonSchema>();

  constructor(
    private readonly catalogue: SolutionCatalogue,
    private readonly records: SolutionRecords,
    private readonly activity: ActivityLog,
  ) {}

  async prepare(task: Task, data: JsonObject, input: FormInput, locale: Locale): Promise<JsonObject | undefined> {
    const found = await this.catalogue.form(task.formKey);
    if (!found) return undefined;
    const fields = formFields(found.form);
    const values = input === 'html' ? coerceFormInput(fields, data) : data;
    let schema = this.schemas.get(found.form);
    if (!schema) {
      schema = schemaOf(fields);
      this.schemas.set(found.form, schema);
    }
    const errors = fieldErrors(schema, values, locale);
    if (errors.length) throw new ProblemException(422, 'validation', undefined, { errors });
    return { ...values, ...found.form.set };
  }

  async completed(
    manager: EntityManager,
    task: Task,
    data: JsonObject,
    principal: Principal,
    locale: Locale,
  ): Promise<AfterFormCommit | undefined> {
    const found = await this.catalogue.form(task.formKey);
    if (!found?.entity) return undefined;
    const { entity } = found;
    const record = await this.records.forInstance(entity, task.instanceId, manager);
    if (!record) return undefined;
    const patch: JsonObject = { ...found.form.set };
    for (const field of found.form.fields) if (field.recordField && field.name in data) patch[field.name] = data[field.name];
    if (Object.keys(patch).length === 0) return undefined;
    await this.records.write(entity, record, patch, locale, manager);
    // Logged once committed: a rolled-back (or retried) step must not leave an entry for a write that did not happen.
    return () =>
      this.activity.record({
        action: 'record.updated',
        actor: { id: principal.userId, email: principal.email },
        resource: { type: entity.resource, id: record.id },
        details: { taskId: task.id, form: task.formKey, fields: Object.keys(patch).sort() },
      });
  }

  async describe(task: Task, locale: Locale): Promise<{ title: string; fields: TaskFormFieldView[] } | null> {
    const found = await this.catalogue.form(task.formKey);
    if (!found) return null;
    // The record's current values fill the fields it shares with the form.
    const record = found.entity ? await this.records.forInstance(found.entity, task.instanceId) : null;
    const values = Object.fromEntries(found.form.fields.filter((f) => f.recordField).map((f) => [f.name, record?.data[f.name]]));
    return { title: found.form.label[locale], fields: fieldViews(formFields(found.form), values, locale) };
  }
}
