import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { BeatPacks } from './beat-packs.js';
import { BeatsBalances } from './beats-balance.js';
import { BeatsGroupCommit } from './beats-group-commit.js';
import { BeatsLedger } from './beats-ledger.js';
import { BeatsMeter } from './beats-meter.js';
import { OverdraftAlert } from './overdraft-alert.js';
import { BeatsAdminAlerts } from './admin-alert-mail.js';
import { BeatsPreview } from './beats-preview.js';
import { BeatsUsage } from './beats-usage.js';
import { LowBalanceAlert } from './low-balance.js';
import { PackExpiryWarnings } from './pack-expiry-warnings.js';
import { StaleCallHolds } from './stale-call-holds.js';
import { BeatPrices } from './price-list.js';
import { BeatAccountRepository, BeatLedgerRepository, BeatPackRepository, BeatReservationRepository } from './beats.repositories.js';

const exported = [
  BeatsAdminAlerts,
  LowBalanceAlert,
  PackExpiryWarnings,
  StaleCallHolds,
  BeatsUsage,
  BeatsPreview,
  OverdraftAlert,
  BeatsGroupCommit,
  BeatsLedger,
  BeatsBalances,
  BeatsMeter,
  BeatPrices,
  BeatPacks,
  BeatPackRepository,
  BeatAccountRepository,
  BeatReservationRepository,
  BeatLedgerRepository,
];

/**
 * The beats meter's ledger and balances. Global and part of the core: plugs are metered in every
 * role (the worker's service tasks and PEC jobs, the web's API), and the visibility pages read here.
 */
@Global()
@Module({ imports: [IdentityModule], providers: exported, exports: exported })
export class BeatsModule {}
