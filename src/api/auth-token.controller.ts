import { Body, Controller, Delete, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { SignInAudit } from '../audit/sign-in-audit.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { Authenticator } from '../identity/authenticator.js';
import { LoginThrottle } from '../identity/login-throttle.js';
import { SecondFactor } from '../identity/second-factor.js';
import type { User } from '../identity/user.entity.js';
import { LocalLoginPolicy } from '../identity/saml/local-login-policy.js';
import { SessionService } from '../identity/session.service.js';
import { ProblemException } from './problem.js';
import { problemSchema } from './problem.schema.js';
import { openApiSchema, parseBody } from './zod-body.js';

const tokenRequest = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
  otp: z.string().trim().max(12).optional().describe('the 6-digit code of the TOTP app, for users who set up two-step verification'),
});
const tokenResponse = z.object({ accessToken: z.string(), expiresIn: z.number().int().describe('seconds') });

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthTokenController {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly sessions: SessionService,
    private readonly audit: SignInAudit,
    private readonly localLogin: LocalLoginPolicy,
    private readonly secondFactor: SecondFactor,
    private readonly throttle: LoginThrottle,
  ) {}

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: "Exchange a user's e-mail and password for a bearer token on this workspace's host" })
  @ApiBody({ schema: openApiSchema(tokenRequest) })
  @ApiResponse({ status: 200, schema: openApiSchema(tokenResponse) })
  @ApiResponse({ status: 401, description: 'Wrong e-mail or password', schema: problemSchema })
  @ApiResponse({ status: 429, description: 'Too many failures: locked for a while', schema: problemSchema })
  async issue(@Req() req: Request, @Body() body: unknown): Promise<z.infer<typeof tokenResponse>> {
    const { email, password, otp } = parseBody(tokenRequest, body);
    const ip = req.ip ?? 'unknown';
    const result = await this.authenticator.authenticate(email, password, ip);
    if (result.outcome !== 'ok') await this.audit.outcome(result, email, ip, 'api');
    switch (result.outcome) {
      case 'invalid':
        throw new ProblemException(401, 'invalid-credentials');
      case 'locked':
        throw new ProblemException(429, 'login-locked', undefined, { retryAfterSeconds: result.retryAfterSeconds });
      case 'blocked':
        throw new ProblemException(403, 'account-blocked');
      case 'ok': {
        // sso.localLogin: admins-only closes the password grant to everyone else too.
        if (!(await this.localLogin.allows(req.tenant!, result.user))) {
          await this.audit.failed(result.user.email, 'local-login-disabled', ip, 'api');
          throw new ProblemException(403, 'local-login-disabled');
        }
        await this.secondStep(result.user, otp, ip);
        const { token, expiresInSeconds } = await this.sessions.open(result.user, 'api');
        await this.audit.outcome(result, result.user.email, ip, 'api');
        return { accessToken: token, expiresIn: expiresInSeconds };
      }
    }
  }

  /** Users with a second factor must send its code; a wrong one counts as a failed sign-in. */
  private async secondStep(user: User, otp: string | undefined, ip: string): Promise<void> {
    if (!this.secondFactor.isEnrolled(user)) return;
    if (!otp) throw new ProblemException(401, 'second-factor-required');
    if (!(await this.secondFactor.check(user, otp))) {
      await this.throttle.recordFailure(user.tenantId, user.email, ip);
      await this.audit.failed(user.email, 'second-factor-invalid', ip, 'api');
      throw new ProblemException(401, 'second-factor-invalid');
    }
  }

  @Delete('token')
  @HttpCode(204)
  @UseGuards(BearerGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke the bearer token used for this request' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 401, schema: problemSchema })
  async revoke(@Req() req: Request): Promise<void> {
    await this.sessions.revoke(req.session!.id);
  }
}
