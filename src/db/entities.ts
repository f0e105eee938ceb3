import { Tenant } from '../tenancy/tenant.entity.js';
import { User } from '../identity/user.entity.js';
import { Session } from '../identity/session.entity.js';
import { PasswordReset } from '../identity/password-reset.entity.js';
import { Office } from '../access/office.entity.js';
import { Role } from '../access/role.entity.js';
import { Membership } from '../access/membership.entity.js';
import { Group, GroupMember } from '../access/group.entity.js';
import { ActivityEntry } from '../audit/activity-entry.entity.js';
import { WorkspacePolicy } from '../policies/workspace-policy.entity.js';
import { ProcessDefinition } from '../process/process-definition.entity.js';
import { ProcessInstance } from '../process/process-instance.entity.js';
import { Task } from '../process/task.entity.js';
import { ProcessTimer } from '../process/process-timer.entity.js';
import { CorrelatedMessage } from '../process/correlated-message.entity.js';

/** Every TypeORM entity; a module adds its own here when it adds a table. */
export const entities = [
  Tenant,
  User,
  Session,
  PasswordReset,
  Office,
  Role,
  Membership,
  Group,
  GroupMember,
  ActivityEntry,
  WorkspacePolicy,
  ProcessDefinition,
  ProcessInstance,
  Task,
  ProcessTimer,
  CorrelatedMessage,
];
