/** Every BullMQ queue pecflow uses; a module that needs a queue adds its name here. */
export const QUEUE_NAMES = {
  /** Housekeeping across tenants: purging expired sessions and reset links. */
  maintenance: 'maintenance',
  /** Ordinary e-mail from the platform (password resets, alerts), retried until the SMTP server takes it. */
  mail: 'mail',
  /** Durable BPMN timers: one delayed job per scheduled process_timers row, id = the row's id. */
  processTimers: 'process-timers',
  /** Service tasks: one job per pending process_service_jobs row and round, calling the task's plug. */
  processServiceTasks: 'process-service-tasks',
  /** Signals thrown by process instances, relayed to the workspace: one job per thrown_signals row, id = the row's id. */
  processSignals: 'process-signals',
  /** The local PEC provider's durable work: busta deliveries and the 12 h / 24 h notices (src/pec-provider). */
  pecProvider: 'pec-provider',
  /** PEC we send (src/pec/sending): one job per message; the attempt is recorded before SMTP, so a re-run never sends twice. */
  pecSend: 'pec-send',
  /** PEC intake hand-off: one job per recorded pec_inbound_messages row, id = the row's id (src/pec/intake). */
  pecInbound: 'pec-inbound',
  /** Campaign work (src/campaigns): importing a recipients sheet, one job per campaign, id = `import-<campaign id>`. */
  campaigns: 'campaigns',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
