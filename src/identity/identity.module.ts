import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { Authenticator } from './authenticator.js';
import { BearerGuard, SignedInGuard } from './auth.guards.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordResetService } from './password-reset.service.js';
import { PasswordService } from './password.service.js';
import { SessionJanitor } from './session-janitor.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { UserRepository } from './user.repository.js';

const exported = [
  Authenticator,
  BearerGuard,
  SignedInGuard,
  PasswordHasher,
  PasswordResetService,
  PasswordService,
  SessionService,
  SessionJanitor,
  UserRepository,
];

@Module({
  imports: [AccessModule],
  providers: [...exported, LoginThrottle, PasswordResetRepository, SessionRepository],
  exports: [...exported, AccessModule],
})
export class IdentityModule {}
