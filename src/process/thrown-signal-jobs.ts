import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { HandlesJob } from '../queue/job-handler.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { SignalBroadcast } from './signal-broadcast.js';
import { RELAY_SIGNAL_JOB, ThrownSignalRepository, type RelaySignalJobData } from './thrown-signals.js';

/**
 * The worker side of thrown signals: a broadcast in the thrower's workspace (not to the thrower, whose
 * engine served its own catches), by nobody (`system`). The broadcast's signalId is the row's, so a
 * job that runs again after the broadcast committed answers the first delivery and moves nothing.
 */
@Injectable()
export class ThrownSignalJobs {
  constructor(
    private readonly signals: SignalBroadcast,
    private readonly rows: ThrownSignalRepository,
  ) {}

  @HandlesJob(QUEUE_NAMES.processSignals, RELAY_SIGNAL_JOB)
  async relay(job: Job<RelaySignalJobData>): Promise<{ reached: string[]; started: string[] } | { skipped: true }> {
    const row = await this.rows.findOne({ id: job.data.thrownSignalId });
    if (!row || row.state !== 'pending') return { skipped: true };
    const answer = await this.signals.broadcast(
      { signalName: row.signalName, variables: {}, signalId: `thrown-${row.id}`, exceptInstanceId: row.instanceId },
      null,
    );
    await this.rows.update({ id: row.id }, { state: 'relayed' });
    return { reached: answer.reached, started: answer.started };
  }
}
