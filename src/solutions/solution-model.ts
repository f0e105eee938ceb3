import { z } from 'zod';
import type { Locale } from '../i18n/locale.js';

/**
 * The shape of models/<solution>/solution.yaml beyond `resources` (read by access/access-policy.ts):
 * entities with their fields, list and detail views and actions, and forms. The zod schema checks
 * each part on its own; model-loader.ts checks what the parts say about each other.
 */

const NAME = /^[a-z][a-zA-Z0-9]{0,39}$/;
const KEY = /^[a-z][a-z0-9-]{0,39}$/;

export const FIELD_TYPES = [
  'string',
  'text',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'email',
  'enum',
  'user',
  'office',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Every label is written in both languages of the product. */
export const labelSchema = z.object({ it: z.string().min(1), en: z.string().min(1) }).strict();
export type Label = z.infer<typeof labelSchema>;

const fieldSchema = z
  .object({
    type: z.enum(FIELD_TYPES),
    label: labelSchema,
    required: z.boolean().default(false),
    min: z.number().optional(),
    max: z.number().optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().positive().optional(),
    pattern: z.string().optional(),
    /** enum: the stored value (key) and its label. */
    options: z.record(z.string().regex(KEY), labelSchema).optional(),
    /** A value given at creation when none is: a constant, or `creator` for a user field. */
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .strict();
export type FieldModel = z.infer<typeof fieldSchema>;

const listSchema = z
  .object({
    columns: z.array(z.string()).min(1),
    filters: z.array(z.string()).default([]),
    sort: z.object({ field: z.string(), direction: z.enum(['asc', 'desc']).default('asc') }).strict(),
    pageSize: z.number().int().min(1).max(100).default(25),
  })
  .strict();

const actionSchema = z
  .object({
    label: labelSchema,
    /** The key of a process in workflows/<solution>/: started with business key = record id, the record's data as variables. */
    process: z.string().min(1),
    /** Field values the record takes when the action starts the process (e.g. status: open). */
    set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();

const entitySchema = z
  .object({
    label: labelSchema,
    plural: labelSchema,
    /** The field that names a record in lists, titles and tiles. */
    title: z.string(),
    fields: z.record(z.string().regex(NAME), fieldSchema),
    list: listSchema,
    detail: z.object({ fields: z.array(z.string()).min(1) }).strict(),
    /** The form used to create a record. */
    create: z.string(),
    actions: z.record(z.string().regex(KEY), actionSchema).default({}),
  })
  .strict();
export type EntityModel = z.infer<typeof entitySchema>;

/** A form field is a field of the form's entity (`field`) or one of the form's own, which only the process receives. */
const formFieldSchema = z.union([
  z.string(),
  z
    .object({
      field: z.string(),
      required: z.boolean().optional(),
      /** For an enum field: the options this form offers (a subset). */
      options: z.array(z.string()).optional(),
    })
    .strict(),
  z
    .object({ name: z.string().regex(NAME) })
    .extend(fieldSchema.shape)
    .strict(),
]);

const formSchema = z
  .object({
    label: labelSchema,
    /** The entity whose record the form edits; for a task form, the record linked to the task's process. */
    entity: z.string().optional(),
    fields: z.array(formFieldSchema).min(1),
    /** Values the record (and the process) take when the form is submitted, e.g. status: resolved. */
    set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();

export const solutionFileSchema = z.object({
  name: z.string(),
  label: labelSchema.optional(),
  entities: z.record(z.string().regex(KEY), entitySchema).default({}),
  forms: z.record(z.string().regex(KEY), formSchema).default({}),
});
export type SolutionFile = z.infer<typeof solutionFileSchema>;

/** Built-in columns every record has, usable in lists and sorts. */
export const RECORD_COLUMNS = ['createdAt', 'updatedAt'] as const;

/** A form field resolved against its entity: everything the schema, the page and the record update need. */
export interface FormFieldModel extends FieldModel {
  name: string;
  /** True when the value goes into the record's field of the same name. */
  recordField: boolean;
}

export interface FormModel {
  key: string;
  label: Label;
  entity: string | null;
  fields: FormFieldModel[];
  set: Record<string, string | number | boolean>;
}

export interface SolutionModel {
  key: string;
  label: Label;
  entities: Record<string, EntityModel>;
  forms: Record<string, FormModel>;
}

export function labelIn(label: Label, locale: Locale): string {
  return label[locale];
}
