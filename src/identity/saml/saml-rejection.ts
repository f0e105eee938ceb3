import { SamlStatusError } from '@node-saml/passport-saml';
import type { MessageKey } from '../../i18n/translate.js';
import { MissingEmailClaimError } from './sso-identity.js';

/** Why a SAML response was refused, as the user is told. */
export type RejectionReason =
  'signature' | 'issuer' | 'audience' | 'replayed' | 'expired' | 'not-yet-valid' | 'idp-status' | 'missing-email' | 'invalid';

/** A refusal decided by our own checks (issuer, recipient, single use) rather than by node-saml. */
export class SamlRejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}

/** node-saml reports problems as plain Errors; these are its messages (node-saml 5.1, src/saml.ts). */
const NODE_SAML_MESSAGES: [RegExp, RejectionReason][] = [
  [/signature|Cannot obtain assertion from signed data|multiple assertions/i, 'signature'],
  [/InResponseTo/i, 'replayed'],
  [/not yet valid/i, 'not-yet-valid'],
  [/expired|No valid subject confirmation/i, 'expired'],
  [/audience|AudienceRestriction/i, 'audience'],
  [/Unknown SAML issuer|Missing SAML issuer/i, 'issuer'],
];

export function rejectionReason(error: unknown): RejectionReason {
  if (error instanceof SamlRejection) return error.reason;
  if (error instanceof MissingEmailClaimError) return 'missing-email';
  if (error instanceof SamlStatusError) return 'idp-status';
  const message = error instanceof Error ? error.message : String(error);
  return NODE_SAML_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? 'invalid';
}

export const REJECTION_MESSAGES: Record<RejectionReason, MessageKey> = {
  signature: 'sso.rejected.signature',
  issuer: 'sso.rejected.issuer',
  audience: 'sso.rejected.audience',
  replayed: 'sso.rejected.replayed',
  expired: 'sso.rejected.expired',
  'not-yet-valid': 'sso.rejected.notYetValid',
  'idp-status': 'sso.rejected.idpStatus',
  'missing-email': 'sso.rejected.missingEmail',
  invalid: 'sso.rejected.invalid',
};
