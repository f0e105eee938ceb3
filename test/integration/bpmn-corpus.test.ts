import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeBpmnProblems } from '../../src/process/bpmn-messages.js';
import { validateBpmn } from '../../src/process/bpmn-validator.js';

/**
 * Real models from real modelers (shared/corpus/bpmn/SOURCES.md), read where they lie at run time:
 * they are not copied into this repository. Each must be accepted, or refused with reasons tied to
 * elements — never make the validator throw. What is accepted may carry warnings, tied to elements as well. Without ../shared there is nothing to read, and the
 * test says so.
 */
const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/bpmn');
const present = existsSync(CORPUS);
/** The built-in plugs: a corpus service task names none of them, so every one with an implementation is refused. */
const PLUGS = new Set(['call-process', 'notify', 'set-variables']);

async function modelsUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(bpmn|xml)$/i.test(entry.name))
    .map((entry) => path.relative(CORPUS, path.join(entry.parentPath, entry.name)))
    .sort();
}

// Jest registers tests synchronously, so the file list is read before the describe blocks.
const files = present ? await modelsUnder(CORPUS) : [];

describe('the shared BPMN corpus', () => {
  const outcomes: { file: string; accepted: boolean; first?: string }[] = [];

  afterAll(() => {
    if (!present) return;
    const refused = outcomes.filter((o) => !o.accepted);
    const lines = outcomes.map((o) => `  ${o.accepted ? 'accepted' : 'refused '} ${o.file}${o.first ? ` — ${o.first}` : ''}`);
    process.stderr.write(
      `\nbpmn-corpus: ${outcomes.length - refused.length} accepted, ${refused.length} refused of ${outcomes.length}\n${lines.join('\n')}\n`,
    );
  });

  it(present ? `holds models under ${CORPUS}` : 'is absent, so there is no real model to check', () => {
    if (!present) {
      process.stderr.write(`\nbpmn-corpus: ${CORPUS} not found (no ../shared beside the repository): real-model checks not run\n`);
      expect(files).toEqual([]);
      return;
    }
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`accepts or refuses ${file} with reasons tied to elements`, async () => {
      const verdict = await validateBpmn(await readFile(path.join(CORPUS, file), 'utf8'), PLUGS);
      if (verdict.ok) {
        expect(verdict.processes.length).toBeGreaterThan(0);
        // A warning (e.g. a user task naming nobody, which goes to the admins) is tied to an element too.
        const warnings = describeBpmnProblems(verdict.warnings, 'en');
        for (const warning of warnings)
          expect(warning).toMatchObject({ elementId: expect.stringMatching(/./), message: expect.stringMatching(/./) });
        outcomes.push({
          file,
          accepted: true,
          ...(warnings.length > 0 ? { first: `${warnings.length} warning(s), ${warnings[0]!.elementId}: ${warnings[0]!.message}` } : {}),
        });
        return;
      }
      expect(verdict.problems.length).toBeGreaterThan(0);
      const described = describeBpmnProblems(verdict.problems, 'it');
      for (const problem of described) {
        expect(problem.elementId).toEqual(expect.any(String));
        expect(problem.elementId.length).toBeGreaterThan(0);
        expect(problem.message.length).toBeGreaterThan(0);
      }
      outcomes.push({
        file,
        accepted: false,
        first: `${described[0]!.elementId}: ${describeBpmnProblems(verdict.problems, 'en')[0]!.message}`,
      });
    });
  }
});
