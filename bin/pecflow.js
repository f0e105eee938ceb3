#!/usr/bin/env node
// The pecflow command line (npx pecflow …); runs the built CLI, so `npm run build` must have run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('pecflow is not built yet: run `npm run build` first.');
  process.exit(1);
}
await import(cli);
