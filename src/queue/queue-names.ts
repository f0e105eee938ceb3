/** Every BullMQ queue pecflow uses; a module that needs a queue adds its name here. */
export const QUEUE_NAMES = {
  /** Housekeeping across tenants: purging expired sessions and reset links. */
  maintenance: 'maintenance',
  /** Ordinary e-mail from the platform (password resets, alerts), retried until the SMTP server takes it. */
  mail: 'mail',
  /** Durable BPMN timers: one delayed job per scheduled process_timers row, id = the row's id. */
  processTimers: 'process-timers',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
