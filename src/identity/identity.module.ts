import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { Authenticator } from './authenticator.js';
import { BearerGuard, GuardDeps, SignedInGuard } from './auth.guards.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordResetService } from './password-reset.service.js';
import { PasswordService } from './password.service.js';
import { LocalLoginPolicy } from './saml/local-login-policy.js';
import { SamlController } from './saml/saml.controller.js';
import { SamlOptionsFactory } from './saml/saml-options.js';
import { SamlSessionStore } from './saml/saml-session-store.js';
import { SamlStrategy } from './saml/saml-strategy.js';
import { SpSigningKey } from './saml/sp-signing-key.js';
import { SsoSignIn } from './saml/sso-sign-in.js';
import { SecondFactor } from './second-factor.js';
import { SessionJanitor } from './session-janitor.js';
import { SignInChallenge } from './sign-in-challenge.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { UserRepository } from './user.repository.js';

const exported = [
  GuardDeps,
  LoginThrottle,
  SecondFactor,
  SignInChallenge,
  Authenticator,
  BearerGuard,
  SignedInGuard,
  PasswordHasher,
  PasswordResetService,
  PasswordService,
  SessionService,
  SessionJanitor,
  UserRepository,
  LocalLoginPolicy,
  SamlOptionsFactory,
];

/** SAML single sign-on with each tenant's ADFS (src/identity/saml). */
const saml = [SamlStrategy, SamlSessionStore, SpSigningKey, SsoSignIn];

@Module({
  imports: [PoliciesModule, AccessModule],
  controllers: [SamlController],
  providers: [...exported, ...saml, PasswordResetRepository, SessionRepository],
  exports: [...exported, PoliciesModule, AccessModule],
})
export class IdentityModule {}
