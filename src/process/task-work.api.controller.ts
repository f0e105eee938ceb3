import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException } from '../api/problem.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { TaskAttachments, type AttachmentView } from './task-attachments.js';
import { TaskInbox, type TaskView } from './task-inbox.js';
import { TaskWork, type AnnotationView } from './task-work.js';
import { sendAttachment } from '../api/send-attachment.js';

export const delegateBody = z.union([z.object({ userId: z.uuid() }).strict(), z.object({ email: z.email() }).strict()]);
export const annotationBody = z.object({ text: z.string().trim().min(1).max(4000) });
const annotation = z.object({
  id: z.string(),
  text: z.string(),
  author: z.object({ id: z.string(), name: z.string().nullable() }),
  at: z.string(),
});
const attachment = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number(),
  sha256: z.string(),
  uploadedBy: z.object({ id: z.string(), name: z.string().nullable() }),
  at: z.string(),
});

/** Task work besides claim/complete: delegate, annotations, encrypted attachments (decision 0012). */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/v1/tasks')
@UseGuards(BearerGuard)
export class TaskWorkApiController {
  constructor(
    private readonly work: TaskWork,
    private readonly attachments: TaskAttachments,
    private readonly inbox: TaskInbox,
  ) {}

  @Post(':id/delegate')
  @HttpCode(200)
  @RequireAccess('task', 'act')
  @ApiOperation({ summary: 'Hand a claimed task to another of its candidates (its assignee, or an admin); the delegate gets an e-mail' })
  @ApiBody({ schema: openApiSchema(delegateBody) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the task is not claimed by the caller', schema: problemSchema })
  @ApiResponse({ status: 422, description: 'the delegate is not a candidate of the task', schema: problemSchema })
  async delegate(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<TaskView> {
    // The task first: an id the caller cannot reach is 404 whatever the body says.
    await this.inbox.find(req.principal!, id);
    return this.work.delegate(req.principal!, id, parseBody(delegateBody, body));
  }

  @Get(':id/annotations')
  @RequireAccess('task', 'see')
  @ApiOperation({ summary: 'The notes left on a task, oldest first' })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ annotations: z.array(annotation) })) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async annotations(@Req() req: Request, @Param('id') id: string): Promise<{ annotations: AnnotationView[] }> {
    return { annotations: await this.work.annotationsOf(req.principal!, id) };
  }

  @Post(':id/annotations')
  @HttpCode(201)
  @RequireAccess('task', 'act')
  @ApiOperation({ summary: 'Leave a note on a task (its candidates, its assignee, admins)' })
  @ApiBody({ schema: openApiSchema(annotationBody) })
  @ApiResponse({ status: 201, schema: openApiSchema(annotation) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async annotate(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<AnnotationView> {
    await this.inbox.find(req.principal!, id);
    return this.work.annotate(req.principal!, id, parseBody(annotationBody, body).text);
  }

  @Get(':id/attachments')
  @RequireAccess('task', 'see')
  @ApiOperation({ summary: 'The files attached to a task (metadata; the content is stored encrypted)' })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ attachments: z.array(attachment) })) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async listAttachments(@Req() req: Request, @Param('id') id: string): Promise<{ attachments: AttachmentView[] }> {
    return { attachments: await this.attachments.list(req.principal!, id) };
  }

  @Post(':id/attachments')
  @HttpCode(201)
  @RequireAccess('task', 'act')
  // The size limit is the module's multer option (TASK_ATTACHMENT_MAX_BYTES): process.module.ts.
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({ summary: 'Attach a file to a task; stored encrypted (AES-256-GCM); over TASK_ATTACHMENT_MAX_BYTES → 413' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @ApiResponse({ status: 201, schema: openApiSchema(attachment) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 413, description: 'the file is larger than TASK_ATTACHMENT_MAX_BYTES; nothing is stored', schema: problemSchema })
  async attach(
    @Req() req: Request,
    @Param('id') id: string,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<AttachmentView> {
    await this.inbox.find(req.principal!, id);
    if (!file) throw new ProblemException(400, 'validation', undefined, { errors: [{ field: 'file', message: 'a file is required' }] });
    return this.attachments.attach(req.principal!, id, file);
  }

  @Get(':id/attachments/:attachmentId')
  @RequireAccess('task', 'see')
  @ApiOperation({ summary: 'Download one attachment (always as a download, never shown inline)' })
  @ApiResponse({ status: 200, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 404, schema: problemSchema })
  async download(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
  ): Promise<void> {
    sendAttachment(res, await this.attachments.open(req.principal!, id, attachmentId));
  }
}
