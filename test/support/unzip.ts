import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A ZIP's files by name, as Info-ZIP's unzip reads them (the archive a user downloads, read by a tool they have). */
export function unzip(zip: Buffer): Record<string, Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pec-export-'));
  try {
    writeFileSync(path.join(dir, 'export.zip'), zip);
    const out = path.join(dir, 'out');
    // An empty archive is valid; unzip says so with exit code 1.
    try {
      execFileSync('unzip', ['-q', path.join(dir, 'export.zip'), '-d', out], { stdio: 'pipe' });
    } catch (error) {
      if ((error as { status?: number }).status !== 1) throw error;
      return {};
    }
    return Object.fromEntries(readdirSync(out).map((name) => [name, readFileSync(path.join(out, name))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
