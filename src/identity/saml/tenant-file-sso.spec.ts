import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { readTenantFiles, TenantFileError } from '../../tenancy/tenant-file.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';

describe('a tenant file with an sso section', () => {
  let dir: string;
  let metadata: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pecflow-tenants-'));
    const { cert } = await generate([{ name: 'commonName', value: 'ADFS Signing - comune' }], { keySize: 2048, algorithm: 'sha256' });
    metadata =
      `<EntityDescriptor xmlns="${MD}" entityID="http://adfs.comune.test/adfs/services/trust"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
      `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${cert.replace(/-----[A-Z ]+-----|\s+/g, '')}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>` +
      '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.comune.test/adfs/ls/"/>' +
      '</IDPSSODescriptor></EntityDescriptor>';
    await mkdir(path.join(dir, 'sso'));
    await writeFile(path.join(dir, 'sso', 'comune.xml'), metadata);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function load(yaml: string): Promise<Awaited<ReturnType<typeof readTenantFiles>>> {
    await writeFile(path.join(dir, 'comune.yaml'), yaml);
    return readTenantFiles(dir);
  }

  it('reads the IdP from the metadata file named in the section', async () => {
    const [tenant] = await load(
      [
        'name: Comune',
        'theme: civico',
        'sso:',
        '  displayName: ADFS Comune',
        '  metadataFile: sso/comune.xml',
        '  justInTime: true',
        '  groupMapping:',
        "    'PEC-Operatori': [{ role: operator, office: 'Direzione/Protocollo' }]",
      ].join('\n'),
    );
    expect(tenant!.sso).toMatchObject({
      displayName: 'ADFS Comune',
      justInTime: true,
      idp: { entityId: 'http://adfs.comune.test/adfs/services/trust', ssoUrl: 'https://adfs.comune.test/adfs/ls/', sloUrl: null },
      groupMapping: { 'PEC-Operatori': [{ role: 'operator', office: 'Direzione/Protocollo' }] },
    });
  });

  it('has no sso when the section is absent', async () => {
    const [tenant] = await load('name: Comune\ntheme: civico\n');
    expect(tenant!.sso).toBeNull();
  });

  it('refuses the file, naming it and the field, when the metadata is missing or wrong', async () => {
    await expect(load('name: Comune\ntheme: civico\nsso: { displayName: ADFS, metadataFile: sso/missing.xml }\n')).rejects.toBeInstanceOf(
      TenantFileError,
    );
    await expect(load('name: Comune\ntheme: civico\nsso: { displayName: ADFS, metadataFile: sso/missing.xml }\n')).rejects.toThrow(
      'comune.yaml: sso.metadataFile (sso/missing.xml): cannot be read (ENOENT)',
    );
    await expect(load('name: Comune\ntheme: civico\nsso: { displayName: ADFS, metadataXml: "<x/>" }\n')).rejects.toThrow(
      /comune\.yaml: sso\.metadataXml: not SAML 2\.0 metadata/,
    );
    await expect(load('name: Comune\ntheme: civico\nsso: { displayName: ADFS }\n')).rejects.toThrow(
      /comune\.yaml: sso: give exactly one of metadataFile or metadataXml/,
    );
  });
});
