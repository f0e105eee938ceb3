import { SetMetadata } from '@nestjs/common';

export const REQUIRED_ROLES = Symbol('REQUIRED_ROLES');

/** The route is for users holding at least one of these roles, in any office. */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);
