import { Inject, Injectable, Logger } from '@nestjs/common';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { describeBpmnProblems } from './bpmn-messages.js';
import { PlugRegistry } from '../plugs/plug-registry.js';
import { validateBpmn } from './bpmn-validator.js';
import { ProcessDefinitions } from './process-definitions.js';

/** A file of ours under workflows/ that does not validate: the start stops, naming it. */
export class WorkflowFileError extends Error {}

interface WorkflowFile {
  solution: string;
  /** `<solution>/<name>.bpmn`, as it is named in errors and in the activity log. */
  name: string;
  content: Buffer;
}

/**
 * Deploys workflows/<solution>/*.bpmn into every enabled workspace whose tenant file lists the
 * solution. Idempotent: a file already deployed with the same content keeps its version, so this
 * runs at every `tenants sync` (and so at every start of the web role).
 */
@Injectable()
export class WorkflowDeployment {
  private readonly logger = new Logger(WorkflowDeployment.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: ProcessDefinitions,
    private readonly plugs: PlugRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async deployAll(directory = path.resolve(this.config.WORKFLOWS_DIR)): Promise<{ deployed: number; unchanged: number }> {
    const tenants = (await this.dataSource.getRepository(Tenant).find({ where: { enabled: true }, order: { slug: 'ASC' } })).filter(
      (tenant) => tenant.solutions.length > 0,
    );
    const solutions = [...new Set(tenants.flatMap((tenant) => tenant.solutions))].sort();
    const files = await readWorkflowFiles(directory, solutions);
    // Every file is checked before anything is deployed: a broken one stops the sync with all of its problems.
    const broken: string[] = [];
    for (const file of files) {
      const verdict = await validateBpmn(file.content.toString('utf8'), this.plugs.names());
      if (!verdict.ok) {
        const lines = describeBpmnProblems(verdict.problems, 'en').map((p) => `  ${p.elementId}: ${p.message}`);
        broken.push(`${file.name}:\n${lines.join('\n')}`);
      }
    }
    if (broken.length > 0) throw new WorkflowFileError(`workflows not valid (${directory}):\n${broken.join('\n')}`);
    const totals = { deployed: 0, unchanged: 0 };
    for (const tenant of tenants) {
      await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, async () => {
        for (const file of files.filter((f) => tenant.solutions.includes(f.solution))) {
          const outcome = await this.definitions.deploy(file.content, { actor: 'system', solution: file.solution, file: file.name });
          if (!outcome.ok) throw new WorkflowFileError(`${file.name}: not valid`);
          for (const process of outcome.processes) totals[process.created ? 'deployed' : 'unchanged'] += 1;
        }
      });
    }
    if (files.length > 0) this.logger.log(`workflows deployed: ${JSON.stringify(totals)}`);
    return totals;
  }
}

/** The .bpmn files of the given solutions; a solution without a folder simply has no workflows. */
async function readWorkflowFiles(directory: string, solutions: string[]): Promise<WorkflowFile[]> {
  const files: WorkflowFile[] = [];
  for (const solution of solutions) {
    const folder = path.join(directory, solution);
    let names: string[];
    try {
      names = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.bpmn')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const name of names) files.push({ solution, name: `${solution}/${name}`, content: await readFile(path.join(folder, name)) });
  }
  return files;
}
