import { createHash } from 'node:crypto';

/** The previous hash of a tenant's first entry: the chain has to start somewhere everyone agrees on. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's hash covers; every field of the row except its id and the hash itself. */
export interface ChainedFields {
  tenantId: string;
  seq: number;
  at: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  prevHash: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sorted(value: Json): Json {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted(value[key]!)]),
  );
}

/**
 * JSON with object keys in code-point order at every depth. PostgreSQL's jsonb gives keys back in
 * its own order, so the bytes hashed when an entry is written must not depend on key order.
 */
export function canonicalJson(value: unknown): string {
  // The round trip drops what JSON cannot hold (undefined, functions) exactly as storing in jsonb does.
  const plain = JSON.parse(JSON.stringify(value) ?? 'null') as Json;
  return JSON.stringify(sorted(plain));
}

/**
 * sha256(prevHash ‖ canonical JSON of the entry), hex. The layout of the hashed object is part of
 * every stored chain: changing a name or a field here makes every existing log fail verification.
 */
export function chainHash(fields: ChainedFields): string {
  const content = canonicalJson({
    tenantId: fields.tenantId,
    seq: fields.seq,
    at: fields.at.toISOString(),
    actor: { id: fields.actorId, label: fields.actorLabel },
    action: fields.action,
    resource: fields.resourceType === null ? null : { type: fields.resourceType, id: fields.resourceId },
    details: fields.details,
    ip: fields.ip,
  });
  return createHash('sha256').update(fields.prevHash).update(content).digest('hex');
}
