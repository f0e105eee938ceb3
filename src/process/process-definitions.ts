import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { ProblemException } from '../api/problem.js';
import { ActivityLog, type ActivityActor } from '../audit/activity-log.js';
import type { BpmnProblem } from './bpmn-problem.js';
import { PlugRegistry } from '../plugs/plug-registry.js';
import { validateBpmn, type DeployableProcess } from './bpmn-validator.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';

export interface DeployedProcess {
  key: string;
  version: number;
  /** False when this very content was already deployed: the existing version is answered. */
  created: boolean;
}

export type DeployOutcome = { ok: true; processes: DeployedProcess[]; warnings: BpmnProblem[] } | { ok: false; problems: BpmnProblem[] };

/** Where a deployment comes from: a person through the API, or a solution's workflows/ folder at start. */
export interface DeploySource {
  actor: ActivityActor;
  solution: string | null;
  file?: string;
  ip?: string;
}

export interface DefinitionSummary {
  key: string;
  name: string | null;
  version: number;
  versions: number;
  deployedAt: Date;
  solution: string | null;
}

export interface DefinitionVersion {
  version: number;
  name: string | null;
  contentHash: string;
  solution: string | null;
  deployedBy: string | null;
  deployedAt: Date;
}

/** A concurrent deploy of the same key took the version number; read again and retry a few times. */
const INSERT_ATTEMPTS = 4;

/** The versioned BPMN definitions of the workspace in context: deploy, list, read. */
@Injectable()
export class ProcessDefinitions {
  constructor(
    private readonly definitions: ProcessDefinitionRepository,
    private readonly activity: ActivityLog,
    private readonly plugs: PlugRegistry,
  ) {}

  /** Validates the file and stores a new version of each executable process whose content changed. */
  async deploy(content: Buffer, source: DeploySource): Promise<DeployOutcome> {
    const xml = content.toString('utf8');
    const verdict = await validateBpmn(xml, this.plugs.names());
    if (!verdict.ok) return verdict;
    const contentHash = createHash('sha256').update(content).digest('hex');
    const processes: DeployedProcess[] = [];
    for (const process of verdict.processes) {
      const { row, created } = await this.store(process, contentHash, xml, source);
      processes.push({ key: row.key, version: row.version, created });
      // Re-reading the workflows/ folder at every start is not a deployment; a person redeploying is.
      if (created || source.actor !== 'system') {
        await this.activity.record({
          action: 'process.deployed',
          actor: source.actor,
          resource: { type: 'process-definition', id: row.id },
          details: {
            key: row.key,
            version: row.version,
            created,
            solution: source.solution,
            ...(source.file ? { file: source.file } : {}),
          },
          ...(source.ip ? { ip: source.ip } : {}),
        });
      }
    }
    return { ok: true, processes, warnings: verdict.warnings };
  }

  /** The latest version of each process, with how many versions it has. */
  async list(): Promise<DefinitionSummary[]> {
    const rows = await this.definitions.find({}, { order: { key: 'ASC', version: 'DESC' } });
    const byKey = new Map<string, DefinitionSummary>();
    for (const row of rows) {
      const seen = byKey.get(row.key);
      if (seen) seen.versions += 1;
      else byKey.set(row.key, { ...summaryOf(row), versions: 1 });
    }
    return [...byKey.values()];
  }

  /** Every version of one process, newest first; 404 when the workspace has none. */
  async versions(key: string): Promise<DefinitionVersion[]> {
    const rows = await this.definitions.find({ key }, { order: { version: 'DESC' } });
    if (rows.length === 0) throw new ProblemException(404, 'not-found');
    return rows.map((row) => ({
      version: row.version,
      name: row.name,
      contentHash: row.contentHash,
      solution: row.solution,
      deployedBy: row.deployedBy,
      deployedAt: row.deployedAt,
    }));
  }

  async bpmn(key: string, version: number): Promise<string> {
    const row = Number.isSafeInteger(version) ? await this.definitions.findOne({ key, version }) : null;
    if (!row) throw new ProblemException(404, 'not-found');
    return row.bpmn;
  }

  private async store(
    process: DeployableProcess,
    contentHash: string,
    bpmn: string,
    source: DeploySource,
  ): Promise<{ row: ProcessDefinition; created: boolean }> {
    for (let attempt = 1; ; attempt += 1) {
      const existing = await this.definitions.findOne({ key: process.key, contentHash });
      if (existing) return { row: existing, created: false };
      const latest = await this.definitions
        .query('d')
        .select('MAX(d.version)', 'max')
        .andWhere('d.key = :key', { key: process.key })
        .getRawOne<{ max: number | null }>();
      try {
        const row = await this.definitions.insert({
          key: process.key,
          name: process.name,
          version: (latest?.max ?? 0) + 1,
          contentHash,
          bpmn,
          solution: source.solution,
          deployedBy: source.actor === 'system' ? null : source.actor.id,
        });
        return { row, created: true };
      } catch (error) {
        if (attempt >= INSERT_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }
}

function summaryOf(row: ProcessDefinition): Omit<DefinitionSummary, 'versions'> {
  return { key: row.key, name: row.name, version: row.version, deployedAt: row.deployedAt, solution: row.solution };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}
