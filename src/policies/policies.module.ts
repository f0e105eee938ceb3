import { Module } from '@nestjs/common';
import { IpAllowlistMiddleware } from './ip-allowlist.middleware.js';
import { PolicyRepository, WorkspacePolicies } from './workspace-policies.js';

/** Each workspace's access policies: allow-list, session lengths, password length, second factor. */
@Module({
  providers: [WorkspacePolicies, PolicyRepository, IpAllowlistMiddleware],
  exports: [WorkspacePolicies, IpAllowlistMiddleware],
})
export class PoliciesModule {}
