import { Foundation1764115200000 } from './1764115200000-foundation.js';
import { Organisation1764200000000 } from './1764200000000-organisation.js';
import { ActivityLog1764300000000 } from './1764300000000-activity-log.js';
import { TenantSso1764400000000 } from './1764400000000-tenant-sso.js';
import { WorkspacePolicies1764500000000 } from './1764500000000-workspace-policies.js';
import { ProcessDefinitions1764600000000 } from './1764600000000-process-definitions.js';
import { ProcessInstances1764700000000 } from './1764700000000-process-instances.js';
import { ProcessTimers1764800000000 } from './1764800000000-process-timers.js';
import { ProcessMessages1764900000000 } from './1764900000000-process-messages.js';
import { SolutionRecords1765000000000 } from './1765000000000-solution-records.js';
import { ProcessHistory1765200000000 } from './1765200000000-process-history.js';
import { TaskWork1765300000000 } from './1765300000000-task-work.js';
import { ProcessStartTimers1765300000001 } from './1765300000001-process-start-timers.js';
import { ServiceTasks1765100000000 } from './1765100000000-service-tasks.js';
import { Mailboxes1765500000000 } from './1765500000000-mailboxes.js';
import { ProcessVariablesIndex1765700000000 } from './1765700000000-process-variables-index.js';
import { ProcessSignals1765700000001 } from './1765700000001-process-signals.js';
import { ThrownSignals1765700000002 } from './1765700000002-thrown-signals.js';
import { PecMessages1765910000000 } from './1765910000000-pec-messages.js';
import { PecIntake1765920000000 } from './1765920000000-pec-intake.js';
import { MembershipsByRole1766000000000 } from './1766000000000-memberships-by-role.js';
import { IncomingPecMessages1766100000000 } from './1766100000000-incoming-pec-messages.js';
import { PecSearch1766200000000 } from './1766200000000-pec-search.js';
import { PecIntakeFlow1766300000000 } from './1766300000000-pec-intake-flow.js';
import { BeatsLedger1766400000000 } from './1766400000000-beats-ledger.js';
import { TenantBeatPrices1766400000001 } from './1766400000001-tenant-beat-prices.js';
import { BeatsAlerts1766500000000 } from './1766500000000-beats-alerts.js';
import { BeatsGroupCommit1767000000000 } from './1767000000000-beats-group-commit.js';
import { Campaigns1766600000000 } from './1766600000000-campaigns.js';
import { ReceiptsByReference1766800000000 } from './1766800000000-receipts-by-reference.js';
import { CampaignLifecycle1766900000000 } from './1766900000000-campaign-lifecycle.js';
import { PecInboxFilterIndexes1767200000000 } from './1767200000000-pec-inbox-filter-indexes.js';
import { WorkspaceRoutingRules1767400000000 } from './1767400000000-workspace-routing-rules.js';
import { ForwardedReceipts1767500000000 } from './1767500000000-forwarded-receipts.js';
import { ReceiptSourceOnce1767600000000 } from './1767600000000-receipt-source-once.js';
import { BeatPacksHotUpdates1767700000000 } from './1767700000000-beat-packs-hot-updates.js';

/** Every migration, in order. Listed explicitly so the same list works from src (tests) and dist. */
export const migrations = [
  Foundation1764115200000,
  Organisation1764200000000,
  ActivityLog1764300000000,
  TenantSso1764400000000,
  WorkspacePolicies1764500000000,
  ProcessDefinitions1764600000000,
  ProcessInstances1764700000000,
  ProcessTimers1764800000000,
  ProcessMessages1764900000000,
  SolutionRecords1765000000000,
  ProcessHistory1765200000000,
  TaskWork1765300000000,
  ProcessStartTimers1765300000001,
  ServiceTasks1765100000000,
  Mailboxes1765500000000,
  ProcessVariablesIndex1765700000000,
  ProcessSignals1765700000001,
  ThrownSignals1765700000002,
  PecMessages1765910000000,
  PecIntake1765920000000,
  MembershipsByRole1766000000000,
  IncomingPecMessages1766100000000,
  PecSearch1766200000000,
  PecIntakeFlow1766300000000,
  BeatsLedger1766400000000,
  TenantBeatPrices1766400000001,
  BeatsAlerts1766500000000,
  Campaigns1766600000000,
  ReceiptsByReference1766800000000,
  CampaignLifecycle1766900000000,
  BeatsGroupCommit1767000000000,
  PecInboxFilterIndexes1767200000000,
  WorkspaceRoutingRules1767400000000,
  ForwardedReceipts1767500000000,
  ReceiptSourceOnce1767600000000,
  BeatPacksHotUpdates1767700000000,
];
