import { ROSTER_LIMITS, type RosterError } from './roster.js';

// Pragmatic, not RFC 5322: the dot-atom local part mail providers accept, and a domain with a real top-level label.
// Domain labels may be IDN (Unicode letters); the local part stays ASCII, as Italian PA mailboxes do.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

export function isValidEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return local.length <= ROSTER_LIMITS.emailLocalPart && LOCAL.test(local) && DOMAIN.test(domain);
}

/**
 * The address in an e-mail cell: trimmed and lower case (stored so, see User.email), with what copy-paste adds
 * removed: a `mailto:` prefix, or an Outlook-style "Mario Rossi <mario.rossi@comune.it>".
 * A hyperlink's `mailto:` address is used when the visible text is not an address ("scrivi a Mario").
 */
export function parseEmail(text: string, mailto?: string): { email: string; errors: RosterError[] } {
  const written = bareAddress(text);
  const linked = mailto === undefined ? '' : bareAddress(mailto);
  const email = !isValidEmail(written) && isValidEmail(linked) ? linked : written;
  if (email === '') return { email, errors: [{ field: 'email', code: 'required' }] };
  if (email.length > ROSTER_LIMITS.email) {
    return { email, errors: [{ field: 'email', code: 'too-long', params: { max: ROSTER_LIMITS.email, value: email.slice(0, 40) } }] };
  }
  if (!isValidEmail(email)) return { email, errors: [{ field: 'email', code: 'invalid-email', params: { value: email } }] };
  return { email, errors: [] };
}

function bareAddress(text: string): string {
  let address = text.trim();
  const angled = /<([^<>]*)>\s*$/.exec(address);
  if (angled?.[1] !== undefined) address = angled[1].trim();
  if (/^mailto:/i.test(address)) address = decodeMailto(address.slice('mailto:'.length));
  return address.toLowerCase();
}

/** `mailto:` URLs are percent-encoded and may carry `?subject=…`. */
function decodeMailto(url: string): string {
  const address = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(address).trim();
  } catch {
    return address.trim();
  }
}
