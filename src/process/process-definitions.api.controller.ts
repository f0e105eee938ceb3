import { Controller, Get, HttpCode, Param, Post, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException, type ElementError } from '../api/problem.js';
import { problemSchema } from '../api/problem.schema.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { translate } from '../i18n/translate.js';
import { plainAddress } from '../policies/ip-allowlist.js';
import { describeBpmnProblems } from './bpmn-messages.js';
import { ProcessDefinitions, type DefinitionSummary, type DefinitionVersion } from './process-definitions.js';
import { StartTimers } from './start-timers.js';

/** A BPMN file from Camunda Modeler is tens of KB; 2 MB leaves room for large diagrams, not for abuse. */
export const BPMN_UPLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

interface DeployAnswer {
  key: string;
  version: number;
  processes?: { key: string; version: number }[];
  warnings?: ElementError[];
}

@ApiTags('process definitions')
@ApiBearerAuth()
@Controller('api/v1/process-definitions')
@UseGuards(BearerGuard)
export class ProcessDefinitionsApiController {
  constructor(
    private readonly definitions: ProcessDefinitions,
    private readonly startTimers: StartTimers,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireAccess('process-definition', 'administer')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: BPMN_UPLOAD_LIMIT_BYTES, files: 1 } }))
  @ApiOperation({ summary: 'Deploy a BPMN 2.0 file (Camunda Modeler); the same content again answers the version it already has' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @ApiResponse({
    status: 201,
    description:
      '{"key","version"} of the first executable process, "processes" when the file has several, and "warnings" [{ elementId, elementName?, message }] when it runs other than it may seem (e.g. a user task naming nobody goes to the admins)',
  })
  @ApiResponse({ status: 422, description: 'the file cannot run: errors [{ elementId, elementName?, message }]', schema: problemSchema })
  async deploy(@Req() req: Request, @UploadedFile() file: Express.Multer.File | undefined): Promise<DeployAnswer> {
    const locale = req.locale!;
    if (!file) {
      throw new ProblemException(400, 'validation', undefined, {
        errors: [{ field: 'file', message: translate(locale, 'process.deploy.missing-file') }],
      });
    }
    const principal = req.principal!;
    const outcome = await this.definitions.deploy(file.buffer, {
      actor: { id: principal.userId, email: principal.email },
      solution: null,
      file: file.originalname,
      ip: plainAddress(req.ip ?? ''),
    });
    if (!outcome.ok) throw new ProblemException(422, 'validation', undefined, { errors: describeBpmnProblems(outcome.problems, locale) });
    // The new latest version's timer start events replace the previous version's schedule.
    for (const process of outcome.processes) await this.startTimers.sync(process.key);
    const [first, ...others] = outcome.processes.map(({ key, version }) => ({ key, version }));
    const warnings = outcome.warnings.length > 0 ? { warnings: describeBpmnProblems(outcome.warnings, locale) } : {};
    return { ...first!, ...(others.length > 0 ? { processes: [first!, ...others] } : {}), ...warnings };
  }

  @Get()
  @RequireAccess('process-definition', 'see')
  @ApiOperation({ summary: 'The latest version of each process of the workspace, with how many versions it has' })
  async list(): Promise<{ definitions: DefinitionSummary[] }> {
    return { definitions: await this.definitions.list() };
  }

  @Get(':key')
  @RequireAccess('process-definition', 'see')
  @ApiOperation({ summary: 'Every version of one process, newest first (without the BPMN)' })
  @ApiResponse({ status: 404, schema: problemSchema })
  async versions(@Param('key') key: string): Promise<{ key: string; versions: DefinitionVersion[] }> {
    return { key, versions: await this.definitions.versions(key) };
  }

  @Get(':key/versions/:version/bpmn')
  @RequireAccess('process-definition', 'see')
  @ApiOperation({ summary: 'The BPMN XML of one version, as deployed' })
  @ApiResponse({ status: 200, content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 404, schema: problemSchema })
  async bpmn(@Param('key') key: string, @Param('version') version: string, @Res() res: Response): Promise<void> {
    const xml = await this.definitions.bpmn(key, /^\d{1,9}$/.test(version) ? Number(version) : Number.NaN);
    res.type('application/xml').send(xml);
  }
}
