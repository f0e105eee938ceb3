import { Injectable } from '@nestjs/common';
import { BeatAccountRepository, BeatPackRepository } from './beats.repositories.js';

export interface PackView {
  beats: number;
  remaining: number;
  expiresAt: Date;
}

/** The contract of `GET /api/v1/beats`: balance = live credit − overdraft; available = balance − reserved. */
export interface BeatsBalance {
  balance: number;
  reserved: number;
  available: number;
  /** Unexpired packs, the one consumed first first. */
  packs: PackView[];
}

/** Reads the current tenant's balance: unexpired packs, open reservations, uncovered overdraft. */
@Injectable()
export class BeatsBalances {
  constructor(
    private readonly packs: BeatPackRepository,
    private readonly accounts: BeatAccountRepository,
  ) {}

  async current(): Promise<BeatsBalance> {
    const packs = await this.packs
      .query('pack')
      .andWhere('pack.expires_at > now()')
      .orderBy('pack.expires_at')
      .addOrderBy('pack.purchased_at')
      .addOrderBy('pack.id')
      .getMany();
    const account = await this.accounts.findOne({});
    const balance = packs.reduce((sum, pack) => sum + pack.remaining, 0) - (account?.overdraft ?? 0);
    const reserved = account?.reserved ?? 0;
    return {
      balance,
      reserved,
      available: balance - reserved,
      packs: packs.map((pack) => ({ beats: pack.beats, remaining: pack.remaining, expiresAt: pack.expiresAt })),
    };
  }
}
