import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { parseFields } from '../api/field-errors.js';
import { problemSchema } from '../api/problem.schema.js';
import { sendAttachment } from '../api/send-attachment.js';
import { openApiSchema } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { formMessage, PEC_UPLOAD_MAX_FILES, uploadOptions, uploaded } from './compose-form.js';
import { PecMessages } from './pec-messages.js';
import { inboxPageSchema, inboxQuerySchema, INBOX_KINDS, type InboxPage } from './search/inbox-query.js';
import { PecInbox } from './search/pec-inbox.js';
import {
  messageViewSchema,
  newPecMessageSchema,
  receiptViewSchema,
  type MessageView,
  type ReceiptView,
} from './store/pec-message-input.js';

@ApiTags('pec-messages')
@ApiBearerAuth()
@Controller('api/v1')
@UseGuards(BearerGuard)
export class PecMessagesApiController {
  constructor(
    private readonly messages: PecMessages,
    private readonly inbox: PecInbox,
  ) {}

  @Post('messages')
  @HttpCode(202)
  @RequireAccess('mailbox', 'act')
  @ApiOperation({
    summary:
      'Send a PEC from a mailbox: stored with its recipients `queued` and sent by the worker (one SMTP transaction, no Bcc, MAIL FROM = From); receipts move each recipient',
  })
  @UseInterceptors(FilesInterceptor('attachments', PEC_UPLOAD_MAX_FILES, uploadOptions))
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    description:
      'JSON (attachments as base64), or multipart/form-data with the same fields (to and cc comma-separated or repeated) and files in `attachments`',
    schema: openApiSchema(newPecMessageSchema),
  })
  @ApiResponse({ status: 202, schema: openApiSchema(z.object({ id: z.uuid() })) })
  @ApiResponse({ status: 403, description: 'the caller sees the mailbox but may not send from it', schema: problemSchema })
  @ApiResponse({ status: 404, description: 'no such mailbox for the caller', schema: problemSchema })
  @ApiResponse({ status: 413, description: 'size × recipients over the mailbox profile’s limit', schema: problemSchema })
  @ApiResponse({ status: 422, description: 'field errors, in the caller’s language', schema: problemSchema })
  send(@Req() req: Request, @Body() body: unknown, @UploadedFiles() files?: Express.Multer.File[]): Promise<{ id: string }> {
    const fields = req.is('multipart/form-data') ? formMessage(body as Record<string, unknown>) : body;
    return this.messages.send(req.principal!, parseFields(newPecMessageSchema, fields, req.locale!), req.locale!, uploaded(files));
  }

  @Get('messages')
  @RequireAccess('pec-message', 'see')
  @ApiOperation({
    summary:
      'The inbox: PEC messages (and receipts, entry=receipt|all) of the caller’s mailboxes, newest first; q searches subject, addresses, body and attachment names in Italian (raccomandata finds raccomandate); pass nextCursor as cursor for the next page',
  })
  @ApiQuery({ name: 'q', required: false, description: 'words; "…" a phrase, -word excludes' })
  @ApiQuery({ name: 'mailboxId', required: false })
  @ApiQuery({ name: 'direction', required: false, enum: ['in', 'out'] })
  @ApiQuery({ name: 'entry', required: false, enum: ['message', 'receipt', 'all'], description: 'default message' })
  @ApiQuery({ name: 'kind', required: false, description: `comma-separated: ${INBOX_KINDS.join(', ')}` })
  @ApiQuery({ name: 'status', required: false, description: 'comma-separated; a receipt’s: matched, unmatched' })
  @ApiQuery({ name: 'sender', required: false })
  @ApiQuery({ name: 'recipient', required: false, description: 'in To or Cc' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO date-time, inclusive' })
  @ApiQuery({ name: 'until', required: false, description: 'ISO date-time, exclusive' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'page', required: false, description: 'offset paging, ignored with a cursor' })
  @ApiQuery({ name: 'pageSize', required: false, description: '1–200, default 50' })
  @ApiResponse({ status: 200, schema: openApiSchema(inboxPageSchema) })
  @ApiResponse({ status: 422, schema: problemSchema })
  list(@Req() req: Request, @Query() query: Record<string, string>): Promise<InboxPage> {
    return this.inbox.list(req.principal!, parseFields(inboxQuerySchema, query, req.locale!));
  }

  @Get('messages/:id')
  @RequireAccess('pec-message', 'see')
  @ApiOperation({
    summary:
      'One PEC message: outgoing with each recipient’s status and timeline; incoming with its certification, signature, body (HTML sanitised) and files (404 when the caller may not see it)',
  })
  @ApiResponse({ status: 200, schema: openApiSchema(messageViewSchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  get(@Req() req: Request, @Param('id') id: string): Promise<MessageView> {
    return this.messages.get(req.principal!, id, req.locale!);
  }

  @Get('messages/:id/attachments/:key')
  @RequireAccess('pec-message', 'see')
  @ApiOperation({
    summary: 'Download a file of a message (its `attachments[].key`): an attachment, daticert.xml, postacert.eml or the whole message.eml',
  })
  @ApiResponse({ status: 200, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 404, schema: problemSchema })
  async attachment(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('key') key: string): Promise<void> {
    const { file, content } = await this.messages.attachment(req.principal!, id, key);
    sendAttachment(res, { filename: file.name, contentType: file.contentType, content });
  }

  @Get('pec-receipts')
  @RequireAccess('mailbox', 'see')
  @ApiOperation({
    summary: 'Receipts read from the caller’s mailboxes; matched=false: those that matched nothing we sent (kept, not dropped)',
  })
  @ApiQuery({ name: 'matched', required: false, enum: ['true', 'false'] })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ receipts: z.array(receiptViewSchema) })) })
  receipts(@Req() req: Request, @Query('matched') matched?: string): Promise<{ receipts: ReceiptView[] }> {
    return this.messages.receiptsOf(req.principal!, matched === undefined ? undefined : matched === 'true');
  }
}
