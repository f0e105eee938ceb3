import { Injectable } from '@nestjs/common';
import { BeatsBalances } from './beats-balance.js';
import { BeatsMeter } from './beats-meter.js';

/** What a chargeable action will cost, shown before it runs. */
export interface CostPreview {
  plug: string;
  units: number;
  beats: number;
  available: number;
  /** Available beats once it is done (negative: it would be refused). */
  after: number;
  enough: boolean;
}

/** Prices an action with the meter's own price (the tenant's contract, else the platform list). */
@Injectable()
export class BeatsPreview {
  constructor(
    private readonly meter: BeatsMeter,
    private readonly balances: BeatsBalances,
  ) {}

  async of(plug: string, units: number): Promise<CostPreview> {
    const [beats, { available }] = await Promise.all([this.meter.priceOf({ plug, units }), this.balances.current()]);
    return { plug, units, beats, available, after: available - beats, enough: beats <= available };
  }
}
