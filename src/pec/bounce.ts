import { HeaderList, normaliseMessageId } from './headers.js';
import { decodedBody, parseMimeEntity } from './mime-tree.js';
import type { PecBounce } from './pec-result.js';

/**
 * A delivery status notification (RFC 3464) wrapped in a busta di anomalia: what a non-PEC
 * (`esterno`) recipient's server sends back when it refuses the busta. Its returned headers carry
 * the busta's Message-ID (the PEC identificativo) and X-Riferimento-Message-ID (our Message-ID), so
 * the bounce can be tied to what we sent (pec-protocol.md §9, "ANOMALIA MESSAGGIO: Undelivered Mail").
 */
export function readBounce(message: Buffer): PecBounce | undefined {
  const report = parseMimeEntity(message, []);
  if (report.contentType !== 'multipart/report') return undefined;
  const status = report.children.find((c) => /^message\/(global-)?delivery-status$/.test(c.contentType));
  if (!status) return undefined;
  // One block of fields for the message, then one per recipient, separated by blank lines.
  const [, ...perRecipient] = decodedBody(status)
    .toString('utf8')
    .split(/\r?\n[ \t]*\r?\n/)
    .filter((block) => block.trim());
  const recipients = perRecipient.map((block) => {
    const { headers } = HeaderList.parse(block);
    const address = (value: string | undefined) => value?.replace(/^[^;]*;\s*/, '').trim() || undefined;
    return {
      finalRecipient: address(headers.get('final-recipient')) ?? address(headers.get('original-recipient')),
      action: headers.get('action')?.toLowerCase(),
      status: headers.get('status'),
      diagnostic: headers.get('diagnostic-code'),
    };
  });
  const returnedPart = report.children.find((c) => /^(message\/rfc822|text\/rfc822-headers|message\/rfc822-headers)$/.test(c.contentType));
  let returned: HeaderList | undefined;
  if (returnedPart) {
    const text = decodedBody(returnedPart).toString('latin1');
    returned = HeaderList.parse(text.slice(0, /\r?\n\r?\n/.exec(text)?.index ?? text.length)).headers;
  }
  return {
    recipients,
    returnedMessageId: normaliseMessageId(returned?.get('message-id')),
    returnedReference: normaliseMessageId(returned?.get('x-riferimento-message-id')),
  };
}
