import { SetMetadata } from '@nestjs/common';
import type { Action } from './access-policy.js';

export const REQUIRED_ACCESS = Symbol('REQUIRED_ACCESS');

export interface RequiredAccess {
  type: string;
  action: Action;
}

/** The route needs the action on at least some resources of the type (403 otherwise); rows are then filtered by Visibility. */
export const RequireAccess = (type: string, action: Action): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ACCESS, { type, action } satisfies RequiredAccess);
