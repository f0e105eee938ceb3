import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The version of a package as resolved from another package's folder (what that package really loads). */
function versionFrom(from: string, name: string): string {
  const manifest = require.resolve(`${name}/package.json`, { paths: [from] });
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const atLeast = (version: string, minimum: [number, number, number]): boolean => {
  const parts = version.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i += 1) if ((parts[i] ?? 0) !== minimum[i]) return (parts[i] ?? 0) > minimum[i]!;
  return true;
};

describe('the SAML libraries in use', () => {
  it('include the fix for CVE-2025-54419 (node-saml >= 5.1.0: the assertion is read from what was signed)', () => {
    const passportSaml = path.dirname(require.resolve('@node-saml/passport-saml/package.json'));
    expect(atLeast(versionFrom(passportSaml, '@node-saml/passport-saml'), [5, 1, 1])).toBe(true);
    const nodeSaml = versionFrom(passportSaml, '@node-saml/node-saml');
    expect(atLeast(nodeSaml, [5, 1, 0])).toBe(true);
    expect(
      atLeast(
        versionFrom(path.dirname(require.resolve('@node-saml/node-saml/package.json', { paths: [passportSaml] })), 'xml-crypto'),
        [6, 1, 2],
      ),
    ).toBe(true);
  });
});
