import { Injectable } from '@nestjs/common';
import type { Locale } from '../i18n/locale.js';
import type { JsonObject } from './process-instance.entity.js';

/** A link the task page shows above the work: where the thing the task is about can be read or answered. */
export interface TaskLink {
  href: string;
  label: string;
}

/** Links for a task of process `definitionKey` whose instance holds `variables`; [] when the provider has none for it. */
export type TaskLinkProvider = (definitionKey: string, variables: JsonObject, locale: Locale) => TaskLink[];

/**
 * What a task is about is known by the module that started its process (a PEC for the intake
 * process), which depends on the process module: so it plugs its links in here, like TaskForms.
 */
@Injectable()
export class TaskLinks {
  private readonly providers: TaskLinkProvider[] = [];

  use(provider: TaskLinkProvider): void {
    this.providers.push(provider);
  }

  of(definitionKey: string | null, variables: JsonObject, locale: Locale): TaskLink[] {
    return definitionKey === null ? [] : this.providers.flatMap((provider) => provider(definitionKey, variables, locale));
  }
}
