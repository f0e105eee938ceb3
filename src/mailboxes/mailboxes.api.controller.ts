import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { parseFields } from '../api/field-errors.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { MailboxAdministration, type ProbeResult } from './mailbox-administration.js';
import { mailboxPatchSchema, mailboxViewSchema, newMailboxSchema, probeResultSchema } from './mailbox-input.js';
import type { MailboxView } from './mailbox-view.js';

@ApiTags('mailboxes')
@ApiBearerAuth()
@Controller('api/v1/mailboxes')
@UseGuards(BearerGuard)
export class MailboxesApiController {
  constructor(private readonly mailboxes: MailboxAdministration) {}

  @Get()
  @RequireAccess('mailbox', 'see')
  @ApiOperation({ summary: 'The PEC mailboxes the caller may see: all for admins, those of their offices for everyone else' })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ mailboxes: z.array(mailboxViewSchema) })) })
  async list(@Req() req: Request): Promise<{ mailboxes: MailboxView[] }> {
    return { mailboxes: await this.mailboxes.list(req.principal!, req.locale!) };
  }

  @Post()
  @RequireAccess('mailbox', 'administer')
  @ApiOperation({
    summary: 'Add a mailbox: the preset gives hosts and ports, the profile the sending limits; credentials are stored sealed',
  })
  @ApiBody({ schema: openApiSchema(newMailboxSchema) })
  @ApiResponse({ status: 201, schema: openApiSchema(mailboxViewSchema) })
  @ApiResponse({ status: 409, description: 'the address is already a mailbox of this workspace', schema: problemSchema })
  @ApiResponse({ status: 422, description: 'field errors, in the caller’s language', schema: problemSchema })
  create(@Req() req: Request, @Body() body: unknown): Promise<MailboxView> {
    return this.mailboxes.create(req.principal!, parseFields(newMailboxSchema, body, req.locale!), req.locale!);
  }

  @Get(':id')
  @RequireAccess('mailbox', 'see')
  @ApiOperation({ summary: 'One mailbox (404 when the caller may not see it)' })
  @ApiResponse({ status: 200, schema: openApiSchema(mailboxViewSchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  get(@Req() req: Request, @Param('id') id: string): Promise<MailboxView> {
    return this.mailboxes.get(req.principal!, id, req.locale!);
  }

  @Patch(':id')
  @RequireAccess('mailbox', 'administer')
  @ApiOperation({ summary: 'Change a mailbox; a new password is sealed again, a new preset or profile resets its defaults' })
  @ApiBody({ schema: openApiSchema(mailboxPatchSchema) })
  @ApiResponse({ status: 200, schema: openApiSchema(mailboxViewSchema) })
  @ApiResponse({ status: 409, schema: problemSchema })
  @ApiResponse({ status: 422, schema: problemSchema })
  update(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<MailboxView> {
    return this.mailboxes.update(req.principal!, id, parseFields(mailboxPatchSchema, body, req.locale!), req.locale!);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireAccess('mailbox', 'administer')
  @ApiOperation({ summary: 'Remove a mailbox and its office assignments' })
  @ApiResponse({ status: 404, schema: problemSchema })
  async remove(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.mailboxes.remove(req.principal!, id);
  }

  @Post(':id/probe')
  @HttpCode(200)
  @RequireAccess('mailbox', 'administer')
  @ApiOperation({ summary: 'Log in to SMTP and IMAP without sending anything; sets the mailbox state (connected or failing)' })
  @ApiResponse({ status: 200, schema: openApiSchema(probeResultSchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  probe(@Req() req: Request, @Param('id') id: string): Promise<ProbeResult> {
    return this.mailboxes.probe(req.principal!, id, req.locale!);
  }
}
