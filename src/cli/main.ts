import { USAGE } from './usage.js';

/*
 * Imports are dynamic on purpose: `pec inspect` reads one file and must not load Nest, TypeORM and
 * every module first (that cost seconds per call); the other commands load the app graph.
 */
async function run(args: string[]): Promise<number> {
  const [command, sub, file] = args;
  if (command === 'pec' && sub === 'inspect') {
    if (!file) {
      console.error(USAGE);
      return 64;
    }
    // Needs no configuration or database: it reads one file.
    return (await import('./pec-inspect.js')).inspectPec(file);
  }
  return (await import('./app-commands.js')).runCommand(args);
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
