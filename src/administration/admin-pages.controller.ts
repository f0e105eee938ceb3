import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { OrganisationService, type NamedGrant } from '../access/organisation.service.js';
import { RosterFileError } from '../access/provisioning/roster-file-error.js';
import { RequireAccess } from '../access/require-access.js';
import { RoleRepository } from '../access/repositories.js';
import { roleLabel } from '../access/role-label.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { parseForm } from '../web/form.js';
import { describeImportErrors, rosterFileProblem } from './import-messages.js';
import { mailContext } from './mail-context.js';
import { OfficeAdministration } from './offices.js';
import { ROSTER_UPLOAD_LIMIT_BYTES, RosterExport } from './roster-export.js';
import { UserAdministration } from './user-administration.js';
import { UserImport } from './user-import.js';
import type { UserView } from './user-view.js';

const userForm = z.object({
  email: z.string().optional(),
  displayName: z.string().trim().min(1).max(200),
  keep: z.union([z.string(), z.array(z.string())]).optional(),
  addRole: z.string().optional(),
  addOffice: z.string().optional(),
});
const officeForm = z.object({ name: z.string().trim().min(1).max(120), parentId: z.string().optional() });

/** The administration pages: the same services as the API, rendered for people. */
@ApiExcludeController()
@Controller('admin')
@UseGuards(SignedInGuard)
export class AdminPagesController {
  constructor(
    private readonly administration: UserAdministration,
    private readonly offices: OfficeAdministration,
    private readonly organisation: OrganisationService,
    private readonly roles: RoleRepository,
    private readonly visibility: Visibility,
    private readonly importer: UserImport,
    private readonly exporter: RosterExport,
  ) {}

  @Get('users')
  @RequireAccess('user', 'see')
  async users(@Req() req: Request, @Res() res: Response, @Query('q') q?: string): Promise<void> {
    const locale = req.locale!;
    const users = await this.administration.list(req.principal!, { q: q?.slice(0, 200) });
    res.render('admin-users', {
      title: translate(locale, 'users.title'),
      q,
      canAdminister: await this.visibility.allows(req.principal!, 'user', 'administer'),
      rows: users.map((user) => this.row(locale, user)),
    });
  }

  @Get('users/new')
  @RequireAccess('user', 'administer')
  async newUser(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.render('admin-user', { title: translate(req.locale!, 'admin.user.new'), isNew: true, ...(await this.choices(req.locale!)) });
  }

  @Post('users/new')
  @RequireAccess('user', 'administer')
  async createUser(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(userForm.extend({ email: z.email() }), body);
    if (!form.ok) return this.invalid(req, res, { isNew: true, ...(await this.choices(req.locale!)) }, form.fields);
    const grants = await this.grantsFromForm(form.data);
    const created = await this.administration.create(
      req.principal!,
      { email: form.data.email, displayName: form.data.displayName, grants },
      mailContext(req),
    );
    res.redirect(303, `/admin/users/${created.id}?saved=1`);
  }

  @Get('users/:id')
  @RequireAccess('user', 'see')
  async user(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('saved') saved?: string): Promise<void> {
    const locale = req.locale!;
    const user = await this.administration.get(req.principal!, id);
    res.render('admin-user', {
      title: user.displayName,
      subject: this.row(locale, user),
      isSelf: user.id === req.principal!.userId,
      canAdminister: await this.visibility.allows(req.principal!, 'user', 'administer'),
      notice: saved ? translate(locale, 'profile.saved') : undefined,
      ...(await this.choices(locale)),
    });
  }

  @Post('users/:id')
  @RequireAccess('user', 'administer')
  async saveUser(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const form = parseForm(userForm, body);
    if (!form.ok) throw new ProblemException(400, 'validation');
    await this.administration.update(req.principal!, id, {
      displayName: form.data.displayName,
      grants: await this.grantsFromForm(form.data),
    });
    res.redirect(303, `/admin/users/${id}?saved=1`);
  }

  @Post('users/:id/:operation')
  @RequireAccess('user', 'administer')
  async operate(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('operation') operation: string): Promise<void> {
    const principal = req.principal!;
    if (operation === 'block' || operation === 'unblock')
      await this.administration.update(principal, id, { blocked: operation === 'block' });
    else if (operation === 'password-reset') await this.administration.sendPasswordReset(principal, id, mailContext(req));
    else if (operation === 'sign-out') await this.administration.signOutEverywhere(principal, id);
    else throw new ProblemException(404, 'not-found');
    res.redirect(303, `/admin/users/${id}?saved=1`);
  }

  @Get('offices')
  @RequireAccess('office', 'see')
  async officesPage(@Req() req: Request, @Res() res: Response): Promise<void> {
    const removable = await this.offices.removable();
    res.render('admin-offices', {
      title: translate(req.locale!, 'admin.offices.title'),
      offices: (await this.offices.list()).map((o) => ({ ...o, removable: removable.has(o.id) })),
      canAdminister: await this.visibility.allows(req.principal!, 'office', 'administer'),
    });
  }

  @Post('offices')
  @RequireAccess('office', 'administer')
  async createOffice(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(officeForm, body);
    if (!form.ok || form.data.name.includes('/'))
      throw new ProblemException(400, 'validation', translate(req.locale!, 'admin.offices.invalidName'));
    await this.offices.create(req.principal!, form.data.name, form.data.parentId || null);
    res.redirect(303, '/admin/offices');
  }

  @Post('offices/:id/remove')
  @RequireAccess('office', 'administer')
  async removeOffice(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.offices.remove(req.principal!, id);
    res.redirect(303, '/admin/offices');
  }

  @Get('users-import')
  @RequireAccess('user', 'administer')
  importPage(@Req() req: Request, @Res() res: Response): void {
    res.render('admin-import', { title: translate(req.locale!, 'admin.import.title') });
  }

  @Post('users-import')
  @HttpCode(200)
  @RequireAccess('user', 'administer')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: ROSTER_UPLOAD_LIMIT_BYTES, files: 1 } }))
  async importRoster(
    @Req() req: Request,
    @Res() res: Response,
    @UploadedFile() upload: Express.Multer.File | undefined,
    @Body() body: Record<string, string>,
  ): Promise<void> {
    const locale = req.locale!;
    // After the dry run the same file comes back from the report page, so the admin applies exactly what they checked.
    const file = upload
      ? { buffer: upload.buffer, name: upload.originalname }
      : body.carried
        ? { buffer: Buffer.from(body.carried, 'base64'), name: body.carriedName ?? 'roster' }
        : undefined;
    const view = { title: translate(locale, 'admin.import.title') };
    if (!file) return res.status(400).render('admin-import', { ...view, errors: [translate(locale, 'admin.import.noFile')] });
    const dryRun = body.apply !== '1';
    try {
      const report = describeImportErrors(
        await this.importer.run(req.principal!, file.buffer, file.name, dryRun, mailContext(req)),
        locale,
      );
      res.render('admin-import', { ...view, report, carried: dryRun ? file.buffer.toString('base64') : undefined, carriedName: file.name });
    } catch (error) {
      if (!(error instanceof RosterFileError)) throw error;
      res.status(400).render('admin-import', { ...view, errors: [rosterFileProblem(error, locale).detail] });
    }
  }

  @Get('users-export.:format')
  @RequireAccess('user', 'see')
  async export(@Req() req: Request, @Res() res: Response, @Param('format') format: string): Promise<void> {
    if (format !== 'csv' && format !== 'xlsx') throw new ProblemException(404, 'not-found');
    await this.exporter.send(req.principal!, format, res);
  }

  private row(locale: Locale, user: UserView) {
    return {
      ...user,
      grantLabels: user.grants.map((g) => ({
        key: `${g.role}|${g.officeId ?? ''}`,
        role: roleLabel(locale, { key: g.role }),
        office: g.office,
      })),
      statusLabel: translate(locale, user.status === 'blocked' ? 'users.blocked' : 'users.active'),
    };
  }

  private async choices(locale: Locale) {
    const roles = (await this.roles.find({}, { order: { key: 'ASC' } })).map((r) => ({ key: r.key, label: roleLabel(locale, r) }));
    const offices = (await this.offices.list()).map((o) => ({ id: o.id, label: `${'— '.repeat(o.depth)}${o.name}`, path: o.path }));
    return { roles, offices };
  }

  /** The grants kept (checked) plus the one added, as role + office path. */
  private async grantsFromForm(form: z.infer<typeof userForm>): Promise<NamedGrant[]> {
    const tree = await this.organisation.tree();
    const kept = ([] as string[]).concat(form.keep ?? []).map((entry) => {
      const [role = '', officeId = ''] = entry.split('|');
      return { role, office: officeId ? tree.path(officeId) || officeId : null };
    });
    if (form.addRole) kept.push({ role: form.addRole, office: form.addOffice ? tree.path(form.addOffice) || form.addOffice : null });
    return kept;
  }

  private invalid(req: Request, res: Response, view: object, fields: string[]): void {
    res.status(400).render('admin-user', {
      title: translate(req.locale!, 'admin.user.new'),
      ...view,
      errors: fields.map((f) => `${f}: ${translate(req.locale!, 'problem.validation')}`),
    });
  }
}
