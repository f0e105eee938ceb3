import { createPrivateKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { faultListSchema } from '../pec-provider/faults.js';

/** A PEM value from the environment; `\\n` escapes are accepted, as one-line variables need them. */
function pem(check: (value: string) => unknown, what: string) {
  return z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n').trim())
    .refine((value) => {
      try {
        check(value);
        return true;
      } catch {
        return false;
      }
    }, `must be a PEM ${what}`)
    .optional();
}

/** A comma-separated list of domain names, lower-cased, with at least `min` of them. */
function domainList(defaults: string, min: number) {
  return z
    .string()
    .default(defaults)
    .transform((value) =>
      value
        .split(',')
        .map((domain) => domain.trim().toLowerCase())
        .filter((domain) => domain !== ''),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, 'must be domain names')).min(min));
}

/** `true` or `false`, as written in an environment file. */
function flag(defaults: 'true' | 'false') {
  return z
    .enum(['true', 'false'])
    .default(defaults)
    .transform((value) => value === 'true');
}

/**
 * Every environment variable pecflow reads, with its default for a development machine.
 * Parsed once at boot (see load-config.ts); the rest of the code receives the typed result.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'must be a domain name such as localhost or pecflow.it')
    .default('localhost'),
  PUBLIC_SCHEME: z.enum(['http', 'https']).default('http'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/pecflow'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().min(1).default('pecflow'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').default('dev-only-secret-change-me-in-production!!'),
  /** Encrypts secrets at rest (TOTP seeds, later mailbox credentials and mail bodies). Keep it safe and stable. */
  DATA_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').default('dev-only-data-key-change-me-in-production!!'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(60),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
  API_TOKEN_TTL_MINUTES: z.coerce.number().int().positive().default(60),
  /**
   * The platform operator's token for the platform API (adding beats packs to a workspace): pecflow has
   * no platform user accounts, the operator is whoever holds this. Unset: the platform API is off.
   */
  PLATFORM_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().positive().default(15),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).default('smtp://127.0.0.1:2525'),
  MAIL_FROM: z.string().min(3).default('pecflow <no-reply@pecflow.localhost>'),
  LOCAL_MAIL_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  DOVECOT_DIR: z.string().min(1).default('/var/lib/pecflow/dovecot'),
  DOVECOT_IMAP_PORT: z.coerce.number().int().positive().default(10143),
  DOVECOT_LMTP_PORT: z.coerce.number().int().positive().default(10024),
  TENANTS_DIR: z.string().min(1).default('tenants'),
  THEMES_DIR: z.string().min(1).default('themes'),
  MODELS_DIR: z.string().min(1).default('models'),
  /** BPMN files, `<solution>/<process>.bpmn`, deployed at start into each workspace using the solution. */
  WORKFLOWS_DIR: z.string().min(1).default('workflows'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().positive().default(30),
  /** Divides the delay of BPMN timer jobs (3600: PT1H fires after 1 s), for tests and demos; due times stay real. */
  PROCESS_CLOCK_FACTOR: z.coerce.number().positive().default(1),
  /** The largest file one may attach to a task (bytes); a bigger upload is refused with 413 and nothing is stored. */
  TASK_ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /**
   * The most an instance's variables may take as JSON (bytes). Variables are what conditions read and
   * every step rewrites: a PEC body or a document is stored elsewhere and referenced by id.
   */
  PROCESS_VARIABLES_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  /** Attempts at a service task's plug call before it becomes an incident. */
  SERVICE_TASK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** The first retry's delay; each next one doubles it (5 attempts: 2 s, 4 s, 8 s, 16 s). */
  SERVICE_TASK_BACKOFF_MS: z.coerce.number().int().min(10).default(2_000),
  /** PEC sending: the first wait after a provider's "later" (4xx, throttle texts) and the mailbox breaker's first back-off; each next one doubles it. */
  PEC_SEND_RETRY_MS: z.coerce.number().int().min(10).default(30_000),
  /** PEC sending: the longest a mailbox's circuit breaker stays open after the provider throttled it (decision 0025). */
  PEC_BREAKER_MAX_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(15 * 60_000),
  /** PEC sending: consecutive connection failures of a mailbox that open its circuit breaker (one throttle reply is enough). */
  PEC_BREAKER_FAILURES: z.coerce.number().int().min(1).default(3),
  /** After this long from the attempt with neither accettazione nor non-accettazione, the recipients become `unknown` (never resent blindly). */
  PEC_SEND_UNKNOWN_AFTER_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(2 * 60 * 60_000),
  /**
   * Campaigns: an attempt still without accettazione or non-accettazione this long after it was made is
   * sent again (the provider never took it: its receipt would have come). Minutes in production, seconds in tests.
   */
  CAMPAIGN_RESEND_AFTER_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(5 * 60_000),
  /** Beats housekeeping (decision 0029): how often the worker looks for holds to settle or release. */
  BEATS_HOLD_SWEEP_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5 * 60_000),
  /** A plug call's reservation still open after this long belongs to an attempt that died: released (longer than any plug call). */
  BEATS_CALL_HOLD_STALE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(60 * 60_000),
  /** The local PEC provider (src/pec-provider, `pecflow pec-provider`): SMTP submission and reception on 127.0.0.1. */
  PEC_PROVIDER_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2526),
  /** The PEC domains it serves; their mailboxes live in the local Dovecot. */
  PEC_PROVIDER_DOMAINS: domainList('pec.demo.test,pec.acme.test,pec.example.test', 1),
  /**
   * Domains of ordinary (non-PEC) mailboxes in the local Dovecot: a PEC to them is accepted with the
   * recipient typed `esterno`, arrives as the busta in the ordinary mailbox and never gets a delivery
   * receipt, as with a real gestore. Any other domain is unknown here (no-dominio).
   */
  /**
   * design.md §4: on these PEC domains every address exists. An address without a mailbox of its own
   * is delivered to the shared `catch-all@<domain>` mailbox (for campaigns, tests and benchmarks
   * with many recipients); one with its own mailbox still gets it there.
   */
  PEC_PROVIDER_CATCH_ALL_DOMAINS: domainList('pec.example.test', 0),
  /** The password of the shared catch-all mailboxes (demo and tests read them over IMAP). */
  PEC_PROVIDER_CATCH_ALL_PASSWORD: z.string().min(8).default('pecflow-demo'),
  /**
   * Benchmark mode when `false` (design.md §7): catch-all recipients get their receipts but the busta
   * is not stored, so Dovecot does not bound the measured rate. The provider says so when it starts.
   */
  PEC_PROVIDER_CATCH_ALL_STORE: flag('true'),
  PEC_PROVIDER_ORDINARY_DOMAINS: domainList('demo.test,acme.test,example.test', 0),
  /**
   * The presa in carico and the avviso di rilevazione virus travel between gestori and most never
   * show them to the sender (Aruba: "invisibili all'utente"). `true` also delivers them to the
   * sending mailbox, as some gestori do: for tests and demos of every notice type.
   */
  PEC_PROVIDER_SHOW_PROVIDER_NOTICES: flag('false'),
  /** Its test CA and the per-domain signing keys (generated on first start, keys mode 0600). */
  PEC_PROVIDER_DATA_DIR: z.string().min(1).default('var/pec-provider'),
  /** daticert <gestore-emittente> and the gestore named in errore-esteso. */
  PEC_PROVIDER_NAME: z.string().min(1).default('pecflow Gestore PEC di prova'),
  /** Size × number of recipients a submission may reach (RFC 6109 §3.1.1: 30 MB in Italian law). */
  PEC_PROVIDER_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 1024 * 1024),
  /** Time between acceptance and delivery of the busta (real providers take a second or two). */
  PEC_PROVIDER_LATENCY_MS: z.coerce.number().int().min(0).default(500),
  /** Divides the 12 h / 24 h non-delivery timers (3600: the 12 h warning after 12 s), like PROCESS_CLOCK_FACTOR. */
  PEC_PROVIDER_CLOCK_FACTOR: z.coerce.number().positive().default(1),
  /** Fault injection rules, a JSON array (see src/pec-provider/faults.ts and the README). */
  PEC_PROVIDER_FAULTS: z
    .string()
    .default('[]')
    .transform((value, context) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be a JSON array of fault rules' });
        return z.NEVER;
      }
    })
    .pipe(faultListSchema),
  /** PEC intake: seconds between two reconciles of a mailbox (UID SEARCH above the checkpoint), besides IDLE. */
  PEC_INTAKE_RECONCILE_SECONDS: z.coerce.number().positive().default(60),
  /** PEC intake: messages fetched and committed together (one transaction, one checkpoint move) and handed to one pec-inbound job. */
  PEC_INTAKE_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(100),
  /** PEC intake: the longest wait between two reconnect attempts of a failing mailbox (it never stops trying). */
  PEC_INTAKE_BACKOFF_CAP_SECONDS: z.coerce.number().positive().default(300),
  /** PEC intake: how long a worker's claim on a mailbox lasts unless renewed; another worker takes over after it. */
  PEC_INTAKE_LEASE_SECONDS: z.coerce.number().positive().default(30),
  /** The SAML service provider's signing pair, one per deployment: signs AuthnRequests and the LogoutRequests ADFS requires. */
  SAML_SP_PRIVATE_KEY: pem(createPrivateKey, 'private key'),
  SAML_SP_CERT: pem((value) => new X509Certificate(value), 'certificate'),
});

export type AppConfig = z.infer<typeof configSchema>;
