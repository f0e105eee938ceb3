import { z } from 'zod';

const day = z.iso.date();

/** A pack as the platform operator orders it (API body; the command line's flags say the same). */
export const packOrderSchema = z
  .strictObject({
    beats: z.number().int().positive().max(100_000_000),
    /** The last day the pack counts (Italian time). */
    expires: day,
    /** Default: today. */
    purchased: day.optional(),
    contract: z.string().min(1).max(200).optional(),
    /** Repeat the call with the same key: one pack. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((order) => !order.purchased || order.purchased <= order.expires, { path: ['expires'], message: 'before the purchase date' });

export type PackOrderBody = z.infer<typeof packOrderSchema>;
