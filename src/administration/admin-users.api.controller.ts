import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Patch,
  Query,
  Req,
  Res,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException } from '../api/problem.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { mailContext } from './mail-context.js';
import { ROSTER_UPLOAD_LIMIT_BYTES, RosterExport } from './roster-export.js';
import { UserAdministration } from './user-administration.js';
import { UserImport } from './user-import.js';
import { describeImportErrors, rosterFileProblem } from './import-messages.js';
import { RosterFileError } from '../access/provisioning/roster-file-error.js';

const grant = z.object({ role: z.string().min(1), office: z.string().min(1).nullable().default(null) });
const newUser = z.object({
  email: z.email(),
  displayName: z.string().trim().min(1).max(200),
  grants: z.array(grant).default([{ role: 'user', office: null }]),
});
const userChange = z.object({
  displayName: z.string().trim().min(1).max(200).optional(),
  grants: z.array(grant).optional(),
  blocked: z.boolean().optional(),
});
const userView = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  status: z.enum(['active', 'blocked']),
  mustChangePassword: z.boolean(),
  grants: z.array(z.object({ role: z.string(), officeId: z.string().nullable(), office: z.string().nullable() })),
});

@ApiTags('admin: users')
@ApiBearerAuth()
@Controller('api/v1/admin/users')
@UseGuards(BearerGuard)
@RequireAccess('user', 'administer')
export class AdminUsersApiController {
  constructor(
    private readonly administration: UserAdministration,
    private readonly importer: UserImport,
    private readonly exporter: RosterExport,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Users of the workspace with their roles and offices' })
  @ApiQuery({ name: 'q', required: false, description: 'part of the e-mail or name' })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'blocked'] })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ users: z.array(userView) })) })
  @ApiResponse({ status: 403, schema: problemSchema })
  async list(
    @Req() req: Request,
    @Query('q') q?: string,
    @Query('status') status?: string,
  ): Promise<{ users: z.infer<typeof userView>[] }> {
    const filter = parseBody(z.object({ q: z.string().max(200).optional(), status: z.enum(['active', 'blocked']).optional() }), {
      q,
      status,
    });
    return { users: await this.administration.list(req.principal!, filter) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a user; they receive a link by e-mail to choose their password' })
  @ApiBody({ schema: openApiSchema(newUser) })
  @ApiResponse({ status: 201, schema: openApiSchema(userView) })
  @ApiResponse({ status: 409, description: 'the e-mail is taken', schema: problemSchema })
  @ApiResponse({ status: 422, description: 'unknown role or office', schema: problemSchema })
  create(@Req() req: Request, @Body() body: unknown): Promise<z.infer<typeof userView>> {
    return this.administration.create(req.principal!, parseBody(newUser, body), mailContext(req));
  }

  @Get('export')
  @ApiOperation({ summary: 'Users and memberships as CSV (UTF-8, ;) or XLSX, re-importable as they are' })
  @ApiQuery({ name: 'format', enum: ['csv', 'xlsx'] })
  async export(@Req() req: Request, @Res() res: Response, @Query('format') format = 'csv'): Promise<void> {
    const kind = parseBody(z.enum(['csv', 'xlsx']), format);
    await this.exporter.send(req.principal!, kind, res);
  }

  @Post('import')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: ROSTER_UPLOAD_LIMIT_BYTES, files: 1 } }))
  @ApiOperation({ summary: 'Create, update and disable users from an XLSX or CSV roster; dryRun=true reports without writing' })
  @ApiConsumes('multipart/form-data')
  @ApiQuery({ name: 'dryRun', enum: ['true', 'false'] })
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @ApiResponse({ status: 200, description: '{"rows":[{"row":n,"status":"created|updated|disabled|error","errors":[…]}]}' })
  @ApiResponse({ status: 400, schema: problemSchema })
  async import(@Req() req: Request, @UploadedFile() file: Express.Multer.File | undefined, @Query('dryRun') dryRun = 'true') {
    if (!file) throw new ProblemException(400, 'validation', undefined, { errors: [{ field: 'file', message: 'missing' }] });
    const dry = parseBody(z.enum(['true', 'false']), dryRun) === 'true';
    const report = await this.importer
      .run(req.principal!, file.buffer, file.originalname, dry, mailContext(req))
      .catch((error: unknown) => {
        throw error instanceof RosterFileError ? rosterFileProblem(error, req.locale!) : error;
      });
    return describeImportErrors(report, req.locale!);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user' })
  @ApiResponse({ status: 200, schema: openApiSchema(userView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  get(@Req() req: Request, @Param('id') id: string): Promise<z.infer<typeof userView>> {
    return this.administration.get(req.principal!, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, roles and offices (the list given replaces the current one) or block/unblock' })
  @ApiBody({ schema: openApiSchema(userChange) })
  @ApiResponse({ status: 200, schema: openApiSchema(userView) })
  update(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<z.infer<typeof userView>> {
    return this.administration.update(req.principal!, id, parseBody(userChange, body));
  }

  @Post(':id/password-reset')
  @HttpCode(204)
  @ApiOperation({ summary: 'E-mail the user a link to choose a new password' })
  async resetPassword(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.administration.sendPasswordReset(req.principal!, id, mailContext(req));
  }

  @Post(':id/sign-out')
  @HttpCode(204)
  @ApiOperation({ summary: 'End every session and token of the user' })
  async signOut(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.administration.signOutEverywhere(req.principal!, id);
  }
}
