import { z } from 'zod';
import { SECOND_FACTOR_RULES } from '../policies/workspace-policy.entity.js';

/** A policy change as the API takes it; the page's form is turned into the same shape. */
export const policyChange = z
  .object({
    ipAllowlist: z.array(z.string().max(64)).max(200),
    sessionIdleMinutes: z.number().int().min(5).max(1440).nullable(),
    sessionAbsoluteHours: z.number().int().min(1).max(720).nullable(),
    passwordMinLength: z.number().int().min(8).max(128),
    secondFactor: z.enum(SECOND_FACTOR_RULES),
  })
  .partial();

const optionalNumber = z.preprocess((v) => (v === '' || v === undefined ? null : Number(v)), z.number().nullable());

/** The page posts strings: one range per line, empty numbers meaning "the platform default". */
export const policyForm = z.object({
  ipAllowlist: z.string().max(20_000).default(''),
  sessionIdleMinutes: optionalNumber,
  sessionAbsoluteHours: optionalNumber,
  passwordMinLength: z.coerce.number(),
  secondFactor: z.string(),
});

export function formToChange(form: z.infer<typeof policyForm>): unknown {
  return {
    ipAllowlist: form.ipAllowlist.split(/[\s,;]+/).filter((r) => r.length > 0),
    sessionIdleMinutes: form.sessionIdleMinutes,
    sessionAbsoluteHours: form.sessionAbsoluteHours,
    passwordMinLength: form.passwordMinLength,
    secondFactor: form.secondFactor,
  };
}
