import { createPrivateKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';

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
  /** The SAML service provider's signing pair, one per deployment: signs AuthnRequests and the LogoutRequests ADFS requires. */
  SAML_SP_PRIVATE_KEY: pem(createPrivateKey, 'private key'),
  SAML_SP_CERT: pem((value) => new X509Certificate(value), 'certificate'),
});

export type AppConfig = z.infer<typeof configSchema>;
