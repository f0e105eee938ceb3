import { SetMetadata } from '@nestjs/common';
import type { BasicRole } from './user.entity.js';

export const REQUIRED_ROLES = Symbol('REQUIRED_ROLES');

/** The route is for users holding at least one of these roles (the full access model comes with issue 3). */
export const Roles = (...roles: BasicRole[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);
