import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantContext } from '../db/tenant-context.js';
import { Tenant } from '../tenancy/tenant.entity.js';

/**
 * The platform price list, beats per unit of each plug: the one place prices are set. A tenant's
 * contract overrides any of them (tenants/<slug>.yaml `beats.prices`). Every plug must be listed
 * (PlugRegistry refuses to start otherwise), so a new chargeable capability cannot run for free by
 * omission. Receipts are free: they are not a plug call (the intake does not charge them).
 */
export const PLATFORM_PRICES: Readonly<Record<string, number>> = {
  /** A PEC sent: per recipient (to + cc) the provider accepts. */
  'pec.send': 1,
  /** A PEC received (receipts excepted): per message. */
  'pec.receive': 1,
  /** Internal notifications, variables and sub-processes are part of the workflow, not billed. */
  notify: 0,
  'set-variables': 0,
  'call-process': 0,
  /** Routing an incoming PEC to an office (workflows/pec/intake.bpmn): the PEC itself is charged as pec.receive. */
  'pec-route': 0,
  /** The approval steps of a campaign (workflows/campaigns/mass-send.bpmn): its PEC are charged as pec.send. */
  'campaign.approval': 0,
  /** Launching a campaign: the launch itself reserves the campaign's beats (recipients × pec.send). */
  'campaign.launch': 0,
};

/** What one unit of a plug costs the current tenant. */
@Injectable()
export class BeatPrices {
  constructor(private readonly dataSource: DataSource) {}

  async perUnit(plug: string): Promise<number> {
    const platform = PLATFORM_PRICES[plug];
    if (platform === undefined) throw new Error(`no price for plug "${plug}" in the platform price list`);
    const tenant = await this.dataSource
      .getRepository(Tenant)
      .findOne({ where: { id: TenantContext.current().tenantId }, select: { id: true, beatPrices: true } });
    return tenant?.beatPrices[plug] ?? platform;
  }
}
