import { Foundation1764115200000 } from './1764115200000-foundation.js';
import { Organisation1764200000000 } from './1764200000000-organisation.js';
import { ActivityLog1764300000000 } from './1764300000000-activity-log.js';
import { TenantSso1764400000000 } from './1764400000000-tenant-sso.js';
import { WorkspacePolicies1764500000000 } from './1764500000000-workspace-policies.js';
import { ProcessDefinitions1764600000000 } from './1764600000000-process-definitions.js';
import { ProcessInstances1764700000000 } from './1764700000000-process-instances.js';
import { ProcessTimers1764800000000 } from './1764800000000-process-timers.js';
import { ProcessMessages1764900000000 } from './1764900000000-process-messages.js';

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
];
