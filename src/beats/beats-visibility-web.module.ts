import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { registerResource, Visibility } from '../access/visibility.js';
import { IdentityModule } from '../identity/identity.module.js';
import { translate } from '../i18n/translate.js';
import { DesktopNoticeSources, DesktopTileSources } from '../web/desktop-tiles.js';
import { WebModule } from '../web/web.module.js';
import { BeatsBalances } from './beats-balance.js';
import { BeatsPageView } from './beats-page-view.js';
import { BeatsPagesController } from './beats-pages.controller.js';
import { BeatsUsageApiController } from './beats-usage.api.controller.js';
import { LowBalanceAlert, formatBeats } from './low-balance.js';
import { UsageDownloads } from './usage-download.js';

// `beats` in models/platform/solution.yaml: see = usage reports and the balance tile, administer = the
// threshold. A ledger entry is owned by the user it was charged for, so an `own` rule shows one's own usage.
registerResource('beats', { owner: (alias) => `${alias}.user_id`, inOffices: () => 'false' });

/** What people see of the meter (docs/decisions/0023-beats-visibility.md): usage, previews, thresholds, the desktop tile. */
@Module({
  imports: [IdentityModule, WebModule],
  controllers: [BeatsUsageApiController, BeatsPagesController],
  providers: [UsageDownloads, BeatsPageView],
})
export class BeatsVisibilityWebModule implements OnApplicationBootstrap {
  constructor(
    private readonly tiles: DesktopTileSources,
    private readonly notices: DesktopNoticeSources,
    private readonly visibility: Visibility,
    private readonly balances: BeatsBalances,
    private readonly lowBalance: LowBalanceAlert,
  ) {}

  onApplicationBootstrap(): void {
    this.tiles.add(async (principal, locale) => {
      if (!(await this.visibility.allows(principal, 'beats', 'see'))) return [];
      const { available, reserved } = await this.balances.current();
      const hint = translate(locale, 'beats.tile.hint', {
        available: formatBeats(available, locale),
        reserved: formatBeats(reserved, locale),
      });
      return [{ href: '/admin/beats', icon: 'beats', label: translate(locale, 'beats.page.title'), hint }];
    });
    this.notices.add(async (principal, locale) => {
      if (!(await this.visibility.allows(principal, 'beats', 'see'))) return [];
      const low = await this.lowBalance.notice();
      if (!low) return [];
      return [
        translate(locale, 'beats.lowBalance.banner', {
          available: formatBeats(low.available, locale),
          threshold: formatBeats(low.threshold, locale),
        }),
      ];
    });
  }
}
