import type { Server } from 'node:http';
import request from 'supertest';

/** A bearer-token API client for one workspace host. */
export class ApiClient {
  constructor(
    private readonly server: Server,
    readonly host: string,
    readonly token?: string,
  ) {}

  static async signIn(server: Server, host: string, email: string, password: string): Promise<ApiClient> {
    const res = await request(server).post('/api/v1/auth/token').set('Host', host).send({ email, password });
    if (res.status !== 200) throw new Error(`sign-in of ${email} on ${host} failed: ${res.status} ${res.text}`);
    return new ApiClient(server, host, (res.body as { accessToken: string }).accessToken);
  }

  /** GET a file download: the body as raw bytes, whatever its content type. */
  async download(path: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const res = await this.get(path)
      .buffer(true)
      .parse((stream, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => done(null, Buffer.concat(chunks)));
      });
    return { status: res.status, headers: res.headers, body: res.body as Buffer };
  }

  /** The same token sent to another workspace's host. */
  on(host: string): ApiClient {
    return new ApiClient(this.server, host, this.token);
  }

  private auth(test: request.Test): request.Test {
    test.set('Host', this.host);
    return this.token ? test.set('Authorization', `Bearer ${this.token}`) : test;
  }

  get(path: string): request.Test {
    return this.auth(request(this.server).get(path));
  }

  post(path: string, body?: object): request.Test {
    return this.auth(request(this.server).post(path)).send(body ?? {});
  }

  put(path: string, body: object): request.Test {
    return this.auth(request(this.server).put(path)).send(body);
  }

  patch(path: string, body: object): request.Test {
    return this.auth(request(this.server).patch(path)).send(body);
  }

  delete(path: string): request.Test {
    return this.auth(request(this.server).delete(path));
  }

  /** POST multipart/form-data: text fields (a list repeats the field) and files. */
  multipart(
    path: string,
    fields: Record<string, string | string[]>,
    files: { field: string; content: Buffer; name: string }[],
  ): request.Test {
    let test = this.auth(request(this.server).post(path));
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) test = test.field(name, one);
    for (const file of files) test = test.attach(file.field, file.content, file.name);
    return test;
  }

  upload(path: string, file: Buffer, name: string): request.Test {
    return this.auth(request(this.server).post(path)).attach('file', file, name);
  }
}
