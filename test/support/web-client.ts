import type { Server } from 'node:http';
import request from 'supertest';

/**
 * A browser-like HTTP client for page tests: keeps cookies, sends the Host of one workspace and
 * fills in the CSRF token of the last page it loaded, like a form submitted from that page would.
 */
export class WebClient {
  private readonly agent: ReturnType<typeof request.agent>;
  private csrf = '';

  constructor(
    server: Server,
    private readonly host: string,
    private readonly language = 'it',
  ) {
    this.agent = request.agent(server);
  }

  async get(path: string): Promise<request.Response> {
    const res = await this.agent.get(path).set('Host', this.host).set('Accept', 'text/html').set('Accept-Language', this.language);
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? this.csrf;
    return res;
  }

  /** Loads the page the form is on (for its CSRF token), then submits the form. */
  async submit(formPage: string, action: string, fields: Record<string, string>): Promise<request.Response> {
    await this.get(formPage);
    return this.post(action, { _csrf: this.csrf, ...fields });
  }

  /** Submits a form of the page loaded last, as the browser would, without loading it again. */
  async send(action: string, fields: Record<string, string>): Promise<request.Response> {
    return this.post(action, { _csrf: this.csrf, ...fields });
  }

  async post(path: string, fields: Record<string, string>): Promise<request.Response> {
    const res = await this.agent
      .post(path)
      .type('form')
      .set('Host', this.host)
      .set('Accept', 'text/html')
      .set('Accept-Language', this.language)
      .send(fields);
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? this.csrf;
    return res;
  }

  /** The same cookies, sent with another workspace's Host (as a hostile page could try). */
  as(host: string): WebClient {
    const other = new WebClient(undefined as unknown as Server, host, this.language);
    Object.assign(other, { agent: this.agent, csrf: this.csrf });
    return other;
  }
}

export async function signIn(client: WebClient, email: string, password: string): Promise<request.Response> {
  return client.submit('/login', '/login', { email, password });
}
