import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { OfficeRepository } from '../access/repositories.js';
import { ProblemException } from '../api/problem.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { ProcessInstances } from '../process/process-instances.js';
import { TaskInbox } from '../process/task-inbox.js';
import { displayValue } from './form-views.js';
import type { EntityRef } from './solution-catalogue.js';
import { RECORD_COLUMNS, type FieldModel } from './solution-model.js';
import type { SolutionRecord } from './solution-record.entity.js';
import type { RecordPage } from './solution-records.js';

const DATE_FIELD: FieldModel = { type: 'datetime', label: { it: '', en: '' }, required: false };

/** Turns records into what the list and detail pages show: labels and values in the user's language. */
@Injectable()
export class RecordPageViews {
  constructor(
    private readonly users: UserRepository,
    private readonly offices: OfficeRepository,
    private readonly instances: ProcessInstances,
    private readonly inbox: TaskInbox,
  ) {}

  async list(ref: EntityRef, page: RecordPage, locale: Locale) {
    const names = await this.names(ref, page.items);
    const columns = ref.model.list.columns.map((name) => ({ name, label: this.columnLabel(ref, name, locale) }));
    const rows = page.items.map((record) => ({
      id: record.id,
      cells: ref.model.list.columns.map((name, i) => ({
        text: this.value(ref, record, name, locale, names),
        // The first column links to the record.
        link: i === 0,
      })),
    }));
    return { columns, rows };
  }

  async detail(principal: Principal, ref: EntityRef, record: SolutionRecord, locale: Locale) {
    const names = await this.names(ref, [record]);
    const fields = ref.model.detail.fields.map((name) => ({
      label: ref.model.fields[name]!.label[locale],
      value: this.value(ref, record, name, locale, names),
      multiline: ref.model.fields[name]!.type === 'text',
    }));
    let process: { status: string; tasks: { id: string; name: string; state: string }[] } | null = null;
    if (record.processInstanceId) {
      const instance = await this.instances.get(principal, record.processInstanceId).catch((error: unknown) => {
        // A person may see a record without following its process (access rules differ): then no status.
        if (error instanceof ProblemException && error.problemType === 'not-found') return null;
        throw error;
      });
      const open = [...(await this.inbox.rows(principal, 'open')), ...(await this.inbox.rows(principal, 'claimed'))];
      process = {
        status: instance ? translate(locale, `solutions.process.${instance.status}`) : '—',
        tasks: open
          .filter((task) => task.instanceId === record.processInstanceId)
          .map((task) => ({ id: task.id, name: task.name ?? task.elementId, state: translate(locale, `tasks.state.${task.state}`) })),
      };
    }
    const title = record.data[ref.model.title];
    return { fields, process, title: typeof title === 'string' && title ? title : record.id };
  }

  filterViews(ref: EntityRef, chosen: Record<string, string>, locale: Locale) {
    return ref.model.list.filters.map((name) => {
      const field = ref.model.fields[name]!;
      return {
        name,
        label: field.label[locale],
        value: chosen[name] ?? '',
        options: field.options
          ? Object.entries(field.options).map(([value, label]) => ({ value, label: label[locale], selected: chosen[name] === value }))
          : null,
      };
    });
  }

  columnLabel(ref: EntityRef, name: string, locale: Locale): string {
    if ((RECORD_COLUMNS as readonly string[]).includes(name))
      return translate(locale, `solutions.column.${name as 'createdAt' | 'updatedAt'}`);
    return ref.model.fields[name]!.label[locale];
  }

  private value(ref: EntityRef, record: SolutionRecord, name: string, locale: Locale, names: Map<string, string>): string {
    if (name === 'createdAt') return displayValue(DATE_FIELD, record.createdAt.toISOString(), locale, names);
    if (name === 'updatedAt') return displayValue(DATE_FIELD, record.updatedAt.toISOString(), locale, names);
    return displayValue(ref.model.fields[name]!, record.data[name], locale, names);
  }

  /** The names of the users and offices the records refer to, in two queries. */
  private async names(ref: EntityRef, records: SolutionRecord[]): Promise<Map<string, string>> {
    const ids = (type: 'user' | 'office') => [
      ...new Set(
        records.flatMap((record) =>
          Object.entries(ref.model.fields)
            .filter(([, field]) => field.type === type)
            .map(([name]) => record.data[name])
            .filter((value): value is string => typeof value === 'string'),
        ),
      ),
    ];
    const userIds = ids('user');
    const officeIds = ids('office');
    const users = userIds.length ? await this.users.find({ id: In(userIds) }) : [];
    const offices = officeIds.length ? await this.offices.find({ id: In(officeIds) }) : [];
    return new Map([
      ...users.map((user) => [user.id, user.displayName] as const),
      ...offices.map((office) => [office.id, office.name] as const),
    ]);
  }
}
