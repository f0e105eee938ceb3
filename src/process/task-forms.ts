import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import type { Locale } from '../i18n/locale.js';
import type { JsonObject } from './process-instance.entity.js';
import type { Task } from './task.entity.js';

/** What a form's effects leave to do once the step's transaction has committed (the activity log entry). */
export type AfterFormCommit = () => Promise<void>;

/** How the submitted data arrived: JSON from the API, or text from an HTML form (to be read by field type). */
export type FormInput = 'json' | 'html';

/** A field of a task form as the task page draws it. */
export interface TaskFormFieldView {
  name: string;
  label: string;
  type: string;
  required: boolean;
  options: { value: string; label: string; selected: boolean }[];
  value: string;
  multiline: boolean;
  /** The <input type> for single-line fields (text, number, date, email…). */
  inputType: string;
}

/**
 * What a task's `camunda:formKey` means is known by the module that owns forms (src/solutions), which
 * itself starts processes: so it plugs in here instead of the process module importing it.
 */
export interface TaskFormHandler {
  /** The data to hand to the process, validated against the task's form (422 with field errors), or undefined when the form key is not one of its forms. */
  prepare(task: Task, data: JsonObject, input: FormInput, locale: Locale): Promise<JsonObject | undefined>;
  /**
   * In the step's transaction, after the process moved on: the form's effects outside the process (the
   * linked record's fields), written through `manager`, so that their failure rolls the step back.
   */
  completed(
    manager: EntityManager,
    task: Task,
    data: JsonObject,
    principal: Principal,
    locale: Locale,
  ): Promise<AfterFormCommit | undefined>;
  /** The form's fields for the task page, or null when the task has none of its forms. */
  describe(task: Task, locale: Locale): Promise<{ title: string; fields: TaskFormFieldView[] } | null>;
}

@Injectable()
export class TaskForms {
  private handler?: TaskFormHandler;

  use(handler: TaskFormHandler): void {
    this.handler = handler;
  }

  async prepare(task: Task, data: JsonObject, input: FormInput, locale: Locale): Promise<JsonObject | undefined> {
    return task.formKey && this.handler ? this.handler.prepare(task, data, input, locale) : undefined;
  }

  async completed(
    manager: EntityManager,
    task: Task,
    data: JsonObject,
    principal: Principal,
    locale: Locale,
  ): Promise<AfterFormCommit | undefined> {
    return task.formKey && this.handler ? this.handler.completed(manager, task, data, principal, locale) : undefined;
  }

  async describe(task: Task, locale: Locale): Promise<{ title: string; fields: TaskFormFieldView[] } | null> {
    return task.formKey && this.handler ? this.handler.describe(task, locale) : null;
  }
}
