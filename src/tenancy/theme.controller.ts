import { Controller, Get, Header, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ThemeCatalogue } from './theme-catalogue.js';

/** The tenant's theme as CSS variables and its images; same URLs on every tenant host. */
@ApiExcludeController()
@Controller('theme')
export class ThemeController {
  constructor(private readonly themes: ThemeCatalogue) {}

  @Get('theme.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  async css(@Req() req: Request): Promise<string> {
    return (await this.themes.get(req.tenant!.theme)).css;
  }

  @Get('assets/:file')
  async asset(@Req() req: Request, @Res() res: Response, @Param('file') file: string): Promise<void> {
    const theme = await this.themes.get(req.tenant!.theme);
    const absolute = theme.assets.get(file);
    if (!absolute) throw new NotFoundException();
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.sendFile(absolute);
  }
}
