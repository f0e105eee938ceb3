import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { TaskInbox, type TaskView } from './task-inbox.js';
import type { InstanceAnswer } from './instance-steps.js';
import type { TaskState } from './task.entity.js';

const taskState = z.enum(['open', 'claimed', 'completed', 'cancelled']);
const taskView = z.object({
  id: z.string(),
  name: z.string().nullable(),
  elementId: z.string(),
  candidateGroups: z.string().nullable(),
  assignee: z.string().nullable(),
  processInstanceId: z.string(),
  state: taskState,
  dueAt: z.string().nullable(),
  priority: z.number(),
  formKey: z.string().nullable(),
  escalatedAt: z.string().nullable(),
});
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const listQuery = z.object({
  state: taskState.optional(),
  mine: flag.optional(),
  escalated: flag.optional(),
  overdue: flag.optional(),
  process: z.string().min(1).max(200).optional(),
  minPriority: z.coerce.number().int().min(0).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});
const completeBody = z.object({ data: z.record(z.string(), z.unknown()).default({}) });
const completed = z.object({
  id: z.string(),
  state: taskState,
  processInstance: z.object({ id: z.string(), status: z.enum(['running', 'waiting', 'completed', 'failed']) }),
});

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/v1/tasks')
@UseGuards(BearerGuard)
export class TasksApiController {
  constructor(private readonly inbox: TaskInbox) {}

  @Get()
  @RequireAccess('task', 'see')
  @ApiOperation({ summary: 'The user tasks the caller may take or has taken (candidate or assignee; admins: all)' })
  @ApiQuery({ name: 'state', required: false, enum: ['open', 'claimed', 'completed'] })
  @ApiQuery({ name: 'mine', required: false, enum: ['true', 'false'], description: 'only the tasks the caller has in charge' })
  @ApiQuery({ name: 'escalated', required: false, enum: ['true', 'false'], description: 'only escalated (sollecitate) tasks' })
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'], description: 'only open or claimed tasks past their due date' })
  @ApiQuery({ name: 'process', required: false, description: 'a process definition key' })
  @ApiQuery({ name: 'minPriority', required: false, type: Number })
  @ApiQuery({ name: 'q', required: false, description: "words in the task's name or its business key" })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ tasks: z.array(taskView) })) })
  async list(@Req() req: Request, @Query() query: Record<string, unknown>): Promise<{ tasks: TaskView[] }> {
    const { q, ...filter } = parseBody(listQuery, query);
    return { tasks: await this.inbox.list(req.principal!, { ...filter, ...(q ? { text: q } : {}) }) };
  }

  @Post(':id/claim')
  @HttpCode(200)
  @RequireAccess('task', 'act')
  @ApiOperation({ summary: 'Take charge of an open task (presa in carico); of two claims at once, one wins and the other gets 409' })
  @ApiResponse({ status: 200, schema: openApiSchema(taskView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the task is not open', schema: problemSchema })
  claim(@Req() req: Request, @Param('id') id: string): Promise<TaskView> {
    return this.inbox.claim(req.principal!, id, req.locale!);
  }

  @Post(':id/release')
  @HttpCode(200)
  @RequireAccess('task', 'act')
  @ApiOperation({ summary: 'Give a claimed task back to its candidates (its assignee, or an admin)' })
  @ApiResponse({ status: 200, schema: openApiSchema(taskView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the task is not claimed by the caller', schema: problemSchema })
  release(@Req() req: Request, @Param('id') id: string): Promise<TaskView> {
    return this.inbox.release(req.principal!, id);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @RequireAccess('task', 'act')
  @ApiOperation({ summary: 'Complete a task the caller has claimed, with its form data; the process moves on to its next step' })
  @ApiBody({ schema: openApiSchema(completeBody) })
  @ApiResponse({ status: 200, schema: openApiSchema(completed) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the task is not claimed by the caller', schema: problemSchema })
  @ApiResponse({
    status: 413,
    description: 'the variables would exceed PROCESS_VARIABLES_MAX_BYTES: nothing changed',
    schema: problemSchema,
  })
  @ApiResponse({
    status: 422,
    description: "the data does not fit the task's form (camunda:formKey): one error per field",
    schema: problemSchema,
  })
  async complete(
    @Req() req: Request,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<{ id: string; state: TaskState; processInstance: InstanceAnswer }> {
    const { data } = parseBody(completeBody, body);
    return this.inbox.complete(req.principal!, id, data, { locale: req.locale!, input: 'json' });
  }
}
