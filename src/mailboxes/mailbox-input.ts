import { z } from 'zod';
import { PRESET_KEYS, SECURITIES } from './mailbox-presets.js';
import { PROFILE_KEYS } from './mailbox-profiles.js';

const endpoint = z.object({
  host: z
    .string()
    .trim()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:-]+$/),
  port: z.number().int().min(1).max(65535),
  security: z.enum(SECURITIES),
});

const limits = z.object({
  perMinute: z.number().int().min(1).max(100_000),
  perDay: z.number().int().min(1).max(10_000_000),
  maxMessageMb: z.number().int().min(1).max(1_000),
  maxRecipients: z.number().int().min(1).max(100_000),
});

const fields = {
  address: z.email().max(254),
  preset: z.enum(PRESET_KEYS),
  profile: z.enum(PROFILE_KEYS),
  /** The login name; the address when not given (what every PEC provider uses). */
  username: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1_000),
  /** Hosts, ports and security: from the preset, given here only for `local` and `custom`. */
  smtp: endpoint.partial(),
  imap: endpoint.partial(),
  sentFolder: z.string().trim().min(1).max(200),
  /** The profile's limits, overridden one by one with what the provider contract says. */
  limits: limits.partial(),
  officeIds: z.array(z.uuid()).max(500),
};

export const newMailboxSchema = z.object({
  address: fields.address,
  preset: fields.preset,
  profile: fields.profile.default('standard'),
  username: fields.username.optional(),
  password: fields.password,
  smtp: fields.smtp.optional(),
  imap: fields.imap.optional(),
  sentFolder: fields.sentFolder.optional(),
  limits: fields.limits.optional(),
  officeIds: fields.officeIds.default([]),
});
export type NewMailbox = z.infer<typeof newMailboxSchema>;

/** Every field optional; changing the preset or the profile starts again from its defaults. */
export const mailboxPatchSchema = z.object({
  address: fields.address.optional(),
  preset: fields.preset.optional(),
  profile: fields.profile.optional(),
  username: fields.username.optional(),
  password: fields.password.optional(),
  smtp: fields.smtp.optional(),
  imap: fields.imap.optional(),
  sentFolder: fields.sentFolder.optional(),
  limits: fields.limits.optional(),
  officeIds: fields.officeIds.optional(),
});
export type MailboxPatch = z.infer<typeof mailboxPatchSchema>;

const endpointView = endpoint.extend({ host: z.string() });
export const mailboxViewSchema = z.object({
  id: z.string(),
  address: z.string(),
  preset: z.enum(PRESET_KEYS),
  profile: z.enum(PROFILE_KEYS),
  state: z.enum(['new', 'connected', 'failing']),
  stateReason: z.string().nullable().describe('why it is failing, `<smtp|imap>:<reason>`'),
  stateDescription: z.string().nullable().describe('the reason in the caller’s language'),
  stateSince: z.string(),
  checkedAt: z.string().nullable(),
  smtp: endpointView,
  imap: endpointView,
  sentFolder: z.string(),
  limits,
  pace: z
    .object({
      breaker: z.enum(['closed', 'open', 'half-open']).describe('open: sends are deferred; half-open: one send probes the provider'),
      slowedUntil: z.string().nullable().describe('until when sends wait, after the provider throttled the mailbox'),
      description: z.string().nullable().describe('e.g. "Rallentata dal provider fino alle 10:42", in the caller’s language'),
    })
    .describe('the per-mailbox circuit breaker on provider throttling (decision 0025)'),
  offices: z.array(z.object({ id: z.string(), path: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const probeOutcome = z.object({
  ok: z.boolean(),
  reason: z.enum(['auth-failed', 'connection-refused', 'tls', 'timeout', 'host-not-found', 'protocol']).optional(),
  error: z.string().optional().describe('the reason in the caller’s language'),
});
export const probeResultSchema = z.object({ smtp: probeOutcome, imap: probeOutcome, state: z.enum(['connected', 'failing']) });
