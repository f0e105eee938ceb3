import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { registerResource } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { loadSolutions } from './model-loader.js';
import { schemaOf, type JsonSchema } from './record-schema.js';
import type { EntityModel, FieldModel, FormModel, SolutionModel } from './solution-model.js';

/** An entity of a solution as the record service, the API and the pages use it. */
export interface EntityRef {
  solution: SolutionModel;
  key: string;
  model: EntityModel;
  /** The access-control resource type of its records. */
  resource: string;
  schema: JsonSchema;
  patchSchema: JsonSchema;
}

const registered = new Set<string>();

/** Records belong to their creator (own) and to the record's office (office scopes). */
function registerRecordResource(type: string): void {
  // Several applications may share one process (tests): the columns are the same for every record type.
  if (registered.has(type)) return;
  registered.add(type);
  registerResource(type, { owner: (alias) => `${alias}.created_by`, inOffices: (alias) => `${alias}.office_id = ANY(:reachOffices)` });
}

/**
 * The solutions of models/ that declare entities or forms, loaded once and checked as a whole at
 * start-up (a model error stops the start with the file and path), and the lookups by workspace:
 * a solution the workspace has not enabled does not exist for it (404).
 */
@Injectable()
export class SolutionCatalogue {
  private loaded?: Promise<Map<string, { model: SolutionModel; entities: Map<string, EntityRef> }>>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  private load() {
    this.loaded ??= loadSolutions(this.config.MODELS_DIR, this.config.WORKFLOWS_DIR).then((solutions) => {
      const catalogue = new Map<string, { model: SolutionModel; entities: Map<string, EntityRef> }>();
      for (const [key, model] of solutions) {
        const entities = new Map<string, EntityRef>();
        for (const [entityKey, entity] of Object.entries(model.entities)) {
          const resource = `${key}.${entityKey}`;
          registerRecordResource(resource);
          entities.set(entityKey, {
            solution: model,
            key: entityKey,
            model: entity,
            resource,
            schema: schemaOf(entity.fields),
            patchSchema: schemaOf(entity.fields, { partial: true }),
          });
        }
        catalogue.set(key, { model, entities });
      }
      return catalogue;
    });
    return this.loaded;
  }

  /** Fails at start-up, not at the first request, when a model is wrong. */
  async validate(): Promise<number> {
    return (await this.load()).size;
  }

  /** The solutions with entities enabled in the workspace in context. */
  async enabled(): Promise<SolutionModel[]> {
    const enabled = await this.enabledKeys();
    return [...(await this.load()).values()].map((entry) => entry.model).filter((model) => enabled.has(model.key));
  }

  /** The entity, when its solution is enabled in the workspace (404 otherwise). */
  async entity(solution: string, entity: string): Promise<EntityRef> {
    const found = (await this.load()).get(solution);
    const ref = found?.entities.get(entity);
    if (!ref || !(await this.enabledKeys()).has(solution)) throw new ProblemException(404, 'not-found');
    return ref;
  }

  /** The form a task's `camunda:formKey="<solution>:<form>"` names, or null when it names none of ours. */
  async form(formKey: string | null): Promise<{ form: FormModel; solution: string; entity: EntityRef | null } | null> {
    const [solution, name, ...rest] = (formKey ?? '').split(':');
    const found = solution ? (await this.load()).get(solution) : undefined;
    const form = found && name && rest.length === 0 && Object.hasOwn(found.model.forms, name) ? found.model.forms[name] : undefined;
    if (!found || !form) return null;
    return { form, solution: found.model.key, entity: form.entity ? (found.entities.get(form.entity) ?? null) : null };
  }

  private async enabledKeys(): Promise<Set<string>> {
    const tenant = await this.dataSource.getRepository(Tenant).findOneBy({ id: TenantContext.current().tenantId });
    return new Set(tenant?.solutions ?? []);
  }
}

/** The fields of a form as a name → field map (for its schema and for reading HTML input). */
export function formFields(form: FormModel): Record<string, FieldModel> {
  return Object.fromEntries(form.fields.map((field) => [field.name, field]));
}
