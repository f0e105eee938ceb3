import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import type { IncidentState, ProcessIncident } from './process-incident.entity.js';
import { ProcessIncidentRepository, ServiceJobRepository, ServiceJobs, type ServiceJobToRun } from './service-jobs.js';

export interface IncidentView {
  id: string;
  processInstanceId: string;
  elementId: string;
  topic: string;
  error: string;
  errorCode: string | null;
  attempts: number;
  state: IncidentState;
  createdAt: string;
  resolvedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIST_LIMIT = 200;

/** Incidents as admins see and act on them: the list, and a retry that sends the same plug call again. */
@Injectable()
export class ProcessIncidents {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: ProcessIncidentRepository,
    private readonly jobs: ServiceJobRepository,
    private readonly serviceJobs: ServiceJobs,
    private readonly visibility: Visibility,
    private readonly activity: ActivityLog,
  ) {}

  async list(principal: Principal, state: IncidentState = 'open', instanceId?: string): Promise<IncidentView[]> {
    const query = this.incidents.query('x').andWhere('x.state = :state', { state }).orderBy('x.created_at', 'DESC').take(LIST_LIMIT);
    if (instanceId !== undefined) query.andWhere('x.instance_id = :instanceId', { instanceId });
    const rows = await (await this.visibility.restrict(query, 'x', 'process-incident', 'see', principal)).getMany();
    return rows.map(viewOf);
  }

  /**
   * Puts the incident's service task back in the queue with the same idempotency key (a new round,
   * attempts from zero): whatever the plug did before is not done twice. 409 when not open.
   */
  async retry(principal: Principal, id: string): Promise<IncidentView> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const visible = await (
      await this.visibility.restrict(this.incidents.query('x').andWhere('x.id = :id', { id }), 'x', 'process-incident', 'act', principal)
    ).getOne();
    if (!visible) throw new ProblemException(404, 'not-found');
    const { incident, toRun } = await this.dataSource.transaction(async (manager) => {
      const incidents = this.incidents.within(manager);
      const jobs = this.jobs.within(manager);
      const locked = await incidents.query('x').andWhere('x.id = :id', { id }).setLock('pessimistic_write').getOne();
      const job = await jobs.query('j').andWhere('j.id = :jobId', { jobId: visible.serviceJobId }).setLock('pessimistic_write').getOne();
      if (!locked || locked.state !== 'open' || !job || job.state !== 'incident') throw new ProblemException(409, 'conflict');
      const round = job.round + 1;
      await jobs.update({ id: job.id }, { state: 'pending', attempts: 0, round, updatedAt: new Date() });
      const resolved = { state: 'retried' as const, resolvedAt: new Date(), resolvedBy: principal.userId };
      await incidents.update({ id }, resolved);
      const scope = TenantContext.current();
      const run: ServiceJobToRun = { serviceJobId: job.id, round, tenant: { tenantId: scope.tenantId, slug: scope.slug } };
      return { incident: { ...locked, ...resolved }, toRun: run };
    });
    await this.serviceJobs.enqueue([toRun]);
    await this.activity.record({
      action: 'process.incident-retried',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'process-instance', id: incident.instanceId },
      details: { incidentId: incident.id, elementId: incident.elementId, topic: incident.topic, error: incident.error },
    });
    return viewOf(incident);
  }
}

function viewOf(row: ProcessIncident): IncidentView {
  return {
    id: row.id,
    processInstanceId: row.instanceId,
    elementId: row.elementId,
    topic: row.topic,
    error: row.error,
    errorCode: row.errorCode,
    attempts: row.attempts,
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}
