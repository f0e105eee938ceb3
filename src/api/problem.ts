import { HttpException } from '@nestjs/common';
import type { MessageKey } from '../i18n/translate.js';

/** The stable problem types pecflow answers with; each has a translated title `problem.<type>`. */
export type ProblemType =
  | 'unknown-tenant'
  | 'not-found'
  | 'unauthorized'
  | 'invalid-credentials'
  | 'login-locked'
  | 'account-blocked'
  | 'sso-rejected'
  | 'sso-account-not-enabled'
  | 'local-login-disabled'
  | 'forbidden'
  | 'address-not-allowed'
  | 'second-factor-required'
  | 'second-factor-invalid'
  | 'csrf'
  | 'validation'
  | 'conflict'
  | 'too-large'
  | 'no-waiting-instance'
  | 'password-change-required'
  | 'internal'
  | 'unavailable'
  | 'beats-exhausted';

export interface FieldError {
  field: string;
  message: string;
}

/** A problem in an uploaded model (a BPMN file), tied to the element to fix rather than to a form field. */
export interface ElementError {
  elementId: string;
  elementName?: string;
  message: string;
}

/** Members a problem body may carry besides type, title, status, detail and instance. */
export interface ProblemExtras {
  errors?: FieldError[] | ElementError[];
  retryAfterSeconds?: number;
  /** beats-exhausted: the tenant's available beats and how many more the refused operation needed. */
  balance?: number;
  shortfall?: number;
}

/** An error with an RFC 9457 problem body: a stable type, a translated title and optional details. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly problemType: ProblemType,
    readonly detail?: string,
    readonly extras: ProblemExtras = {},
  ) {
    super(problemType, status);
  }
}

export function problemTitleKey(type: ProblemType): MessageKey {
  return `problem.${type}`;
}

export function problemTypeUri(type: ProblemType): string {
  return `urn:pecflow:problem:${type}`;
}
