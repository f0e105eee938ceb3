import { configSchema, type AppConfig } from './config.schema.js';

export class ConfigError extends Error {}

/** Validates the environment once; a bad or missing variable stops the start with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) {
    if (parsed.data.NODE_ENV === 'production') {
      // Development defaults are public (they are in this repository): production must set its own.
      const defaults = (['SESSION_SECRET', 'DATA_ENCRYPTION_KEY'] as const).filter(
        (name) => parsed.data[name] === configSchema.shape[name].parse(undefined),
      );
      if (defaults.length > 0) {
        throw new ConfigError(
          `Invalid configuration:\n${defaults.map((name) => `  ${name}: the development default cannot be used in production`).join('\n')}`,
        );
      }
    }
    return Object.freeze(parsed.data);
  }
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
