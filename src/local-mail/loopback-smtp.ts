import type { AddressInfo } from 'node:net';
import type { Logger } from '@nestjs/common';
import type { SMTPServer } from 'smtp-server';

/** An SMTP reply for smtp-server: it sends `responseCode`, and the text (starting with an enhanced status code if any). */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts an smtp-server on 127.0.0.1 (port 0 picks a free one) and resolves with the port it got;
 * a port already taken rejects instead of being logged as a server error.
 */
export async function listenOnLoopback(server: SMTPServer, port: number, logger: Logger): Promise<number> {
  server.on('error', (error) => logger.error(`SMTP server error: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return (server.server.address() as AddressInfo).port;
}
