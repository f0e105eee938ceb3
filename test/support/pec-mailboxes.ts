import type { ApiClient } from './api-client.js';
import type { PecProviderHarness } from './pec-provider.js';

/** A PEC mailbox of the local provider, created through the API by an admin and given to one office (by path); its id. */
export async function addLocalMailbox(
  admin: ApiClient,
  provider: PecProviderHarness,
  box: { address: string; password: string },
  office: string,
): Promise<string> {
  const offices = (await admin.get('/api/v1/admin/offices').expect(200)).body as { offices: { id: string; path: string }[] };
  const created = await admin
    .post('/api/v1/mailboxes', {
      address: box.address,
      preset: 'local',
      password: box.password,
      smtp: { port: provider.port },
      officeIds: [offices.offices.find((o) => o.path === office)!.id],
    })
    .expect(201);
  return (created.body as { id: string }).id;
}
