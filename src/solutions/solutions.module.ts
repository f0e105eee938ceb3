import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { Visibility } from '../access/visibility.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ProcessModule } from '../process/process.module.js';
import { TaskForms } from '../process/task-forms.js';
import { DesktopTileSources } from '../web/desktop-tiles.js';
import { WebModule } from '../web/web.module.js';
import { RecordPageViews } from './record-page-views.js';
import { SolutionCatalogue } from './solution-catalogue.js';
import { SolutionPagesController } from './solution-pages.controller.js';
import { SolutionRecordRepository, SolutionRecords } from './solution-records.js';
import { SolutionRecordsApiController } from './solution-records.api.controller.js';
import { ModelTaskForms } from './task-form-handler.js';

/** Solutions as models (models/<solution>/solution.yaml): records, their API and pages, task forms, desktop tiles. */
@Module({
  imports: [IdentityModule, ProcessModule, WebModule],
  controllers: [SolutionRecordsApiController, SolutionPagesController],
  providers: [SolutionCatalogue, SolutionRecordRepository, SolutionRecords, ModelTaskForms, RecordPageViews],
})
export class SolutionsModule implements OnApplicationBootstrap {
  constructor(
    private readonly catalogue: SolutionCatalogue,
    private readonly taskForms: TaskForms,
    private readonly modelForms: ModelTaskForms,
    private readonly tiles: DesktopTileSources,
    private readonly visibility: Visibility,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A model error stops the start here, naming the file and the path in it.
    await this.catalogue.validate();
    this.taskForms.use(this.modelForms);
    this.tiles.add(async (principal, locale) => {
      const tiles = [];
      for (const solution of await this.catalogue.enabled()) {
        for (const [key, entity] of Object.entries(solution.entities)) {
          if (!(await this.visibility.allows(principal, `${solution.key}.${key}`, 'see'))) continue;
          tiles.push({
            href: `/solutions/${solution.key}/${key}`,
            icon: 'records',
            label: entity.plural[locale],
            hint: solution.label[locale],
          });
        }
      }
      return tiles;
    });
  }
}
