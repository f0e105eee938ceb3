import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { AllowBeforePasswordChange, AllowBeforeSecondFactor, BearerGuard } from '../identity/auth.guards.js';
import { problemSchema } from './problem.schema.js';
import { openApiSchema } from './zod-body.js';

const meResponse = z.object({
  email: z.string(),
  displayName: z.string(),
  tenant: z.string().describe('workspace slug'),
  roles: z.array(z.string()).describe('role keys held in any office'),
  grants: z.array(z.object({ role: z.string(), officeId: z.string().nullable() })),
  locale: z.enum(['it', 'en']),
  mustChangePassword: z.boolean(),
});

@ApiTags('me')
@ApiBearerAuth()
@Controller('api/v1/me')
@UseGuards(BearerGuard)
export class MeController {
  @Get()
  @AllowBeforePasswordChange()
  @AllowBeforeSecondFactor()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiResponse({ status: 200, schema: openApiSchema(meResponse) })
  @ApiResponse({ status: 401, schema: problemSchema })
  me(@Req() req: Request): z.infer<typeof meResponse> {
    const user = req.user!;
    return {
      email: user.email,
      displayName: user.displayName,
      tenant: req.tenant!.slug,
      roles: req.principal!.roles,
      grants: req.principal!.grants,
      locale: user.locale ?? req.locale!,
      mustChangePassword: user.mustChangePassword,
    };
  }
}
