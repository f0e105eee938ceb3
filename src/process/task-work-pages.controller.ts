import {
  ArgumentsHost,
  Body,
  Catch,
  Controller,
  Get,
  Param,
  PayloadTooLargeException,
  Post,
  Req,
  Res,
  UploadedFile,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type ExceptionFilter,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { TaskAttachments } from './task-attachments.js';
import { taskAction } from './task-pages.controller.js';
import { TaskWork } from './task-work.js';
import { sendAttachment } from '../api/send-attachment.js';

/** An upload over TASK_ATTACHMENT_MAX_BYTES, refused by multer before the handler: back to the task page with the reason. */
@Catch(PayloadTooLargeException)
class TooLargeBackToTask implements ExceptionFilter {
  catch(_exception: PayloadTooLargeException, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const id = /^[0-9a-f-]{36}$/i.test(String(req.params.id)) ? String(req.params.id) : '';
    host
      .switchToHttp()
      .getResponse<Response>()
      .redirect(303, id ? `/tasks/${id}?error=too-large` : '/tasks');
  }
}

/** The task page's delegate, note and attachment forms (the same TaskWork and TaskAttachments as the API). */
@ApiExcludeController()
@Controller('tasks')
@UseGuards(SignedInGuard)
export class TaskWorkPagesController {
  constructor(
    private readonly work: TaskWork,
    private readonly attachments: TaskAttachments,
  ) {}

  @Post(':id/delegate')
  @RequireAccess('task', 'act')
  delegate(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    return taskAction(res, id, 'delegated', async () => {
      if (typeof body.userId !== 'string' || !body.userId) throw new ProblemException(400, 'validation');
      await this.work.delegate(req.principal!, id, { userId: body.userId });
    });
  }

  @Post(':id/annotations')
  @RequireAccess('task', 'act')
  annotate(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    return taskAction(res, id, 'annotated', async () => {
      const text = typeof body.text === 'string' ? body.text.trim() : '';
      if (!text || text.length > 4000) throw new ProblemException(400, 'validation');
      await this.work.annotate(req.principal!, id, text);
    });
  }

  @Post(':id/attachments')
  @RequireAccess('task', 'act')
  @UseFilters(TooLargeBackToTask)
  @UseInterceptors(FileInterceptor('file'))
  attach(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @UploadedFile() file: Express.Multer.File | undefined) {
    return taskAction(res, id, 'attached', async () => {
      if (!file) throw new ProblemException(400, 'validation');
      await this.attachments.attach(req.principal!, id, file);
    });
  }

  @Get(':id/attachments/:attachmentId')
  @RequireAccess('task', 'see')
  async download(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('attachmentId') attachmentId: string) {
    sendAttachment(res, await this.attachments.open(req.principal!, id, attachmentId));
  }
}
