import { ISOInterval } from '@0dep/piso';
import { z } from 'zod';

/** Subjects are matched on their first characters only: it bounds the work of any pattern. */
export const SUBJECT_MATCH_LIMIT = 256;

/**
 * A `subjectMatches` pattern is a JavaScript regular expression restricted so that it cannot
 * backtrack catastrophically on a PEC subject (rules are data, written by an admin, evaluated on
 * mail from anyone): no backreferences, no lookaround, no quantifier on a group (star height 1),
 * at most two unbounded quantifiers. Matching is case-insensitive, on SUBJECT_MATCH_LIMIT characters.
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > 200) return 'at most 200 characters';
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not allowed';
  if (/\(\?<?[=!]/.test(pattern)) return 'lookahead and lookbehind are not allowed';
  if (/\)\s*(?:[*+?]|\{\d)/.test(pattern)) return 'a quantifier on a group is not allowed';
  const unbounded = pattern.replace(/\\./g, '').match(/[*+]|\{\d+,\}/g) ?? [];
  if (unbounded.length > 2) return 'at most two unbounded quantifiers (*, +, {n,})';
  try {
    new RegExp(pattern, 'iu');
  } catch (error) {
    return (error as Error).message;
  }
  return null;
}

/** `anna@ente.it`, `*@pec.fornitore.it`, `*.giustizia.it`: an address, or a pattern with `*` wildcards. */
const senderPattern = z
  .string()
  .trim()
  .min(1)
  .max(320)
  .regex(/^[A-Za-z0-9.!#$%&'+/=?^_`{|}~@*-]+$/, 'an address or a pattern with * (e.g. *@pec.fornitore.it)')
  // Each `*` is a `.*`: two keep the match linear enough on any address.
  .refine((value) => value.split('*').length <= 3, 'at most two * in a sender pattern')
  .transform((value) => value.toLowerCase());

const officePath = z.string().trim().min(1).max(500);

export const routingRuleSchema = z
  .strictObject({
    /** What the rule is for, as the admin and the task history read it. */
    name: z.string().trim().min(1).max(200),
    /** Only mail arriving in this mailbox (address). */
    mailbox: z
      .email()
      .transform((value) => value.toLowerCase())
      .optional(),
    sender: senderPattern.optional(),
    subjectContains: z.string().trim().min(1).max(200).optional(),
    subjectMatches: z
      .string()
      .min(1)
      .superRefine((value, context) => {
        const problem = regexProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** The office the message goes to, by path (Direzione/Protocollo). */
    office: officePath,
  })
  .refine((rule) => rule.mailbox ?? rule.sender ?? rule.subjectContains ?? rule.subjectMatches, {
    message: 'a rule needs at least one condition (mailbox, sender, subjectContains, subjectMatches)',
  });

export type RoutingRule = z.infer<typeof routingRuleSchema>;

/** A rule a workspace's admins edit in the web shell (decision 0033): the id names it across edits and moves. */
export type WorkspaceRoutingRule = RoutingRule & { id: string };

const isoDuration = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const now = new Date();
      return value.startsWith('P') && new ISOInterval(value).parse().getExpireAt(now, now) > now;
    } catch {
      return false;
    }
  }, 'an ISO 8601 duration such as PT4H');

/** The default time an incoming PEC may wait before someone takes it in charge (then: escalation). */
export const DEFAULT_TAKE_CHARGE_WITHIN = 'PT4H';

/**
 * The `pecIntake:` section of tenants/<slug>.yaml (docs/decisions/0021): the ordered rules, the
 * office that gets what no rule and no mailbox office claims, and the take-in-charge limit.
 */
export const pecIntakeSectionSchema = z.strictObject({
  takeChargeWithin: isoDuration.default(DEFAULT_TAKE_CHARGE_WITHIN),
  fallbackOffice: officePath.optional(),
  rules: z.array(routingRuleSchema).max(200).default([]),
});

export type PecIntakeSettings = z.infer<typeof pecIntakeSectionSchema>;

export const DEFAULT_INTAKE_SETTINGS: PecIntakeSettings = { takeChargeWithin: DEFAULT_TAKE_CHARGE_WITHIN, rules: [] };

/** What the rules look at: the envelope, never the body. */
export interface RoutedMessage {
  mailboxAddress: string | null;
  sender: string | null;
  subject: string | null;
}

/** Whether every condition the rule states holds for the message (a rule states at least one). */
export function ruleMatches(rule: RoutingRule, message: RoutedMessage): boolean {
  if (rule.mailbox !== undefined && rule.mailbox.toLowerCase() !== message.mailboxAddress?.toLowerCase()) return false;
  if (rule.sender !== undefined && !wildcard(rule.sender.toLowerCase()).test(message.sender?.toLowerCase() ?? '')) return false;
  const subject = (message.subject ?? '').slice(0, SUBJECT_MATCH_LIMIT);
  if (rule.subjectContains !== undefined && !subject.toLowerCase().includes(rule.subjectContains.toLowerCase())) return false;
  if (rule.subjectMatches !== undefined && !new RegExp(rule.subjectMatches, 'iu').test(subject)) return false;
  return true;
}

/** The first rule (in the declared order) the message satisfies, with its position. */
export function firstMatch(rules: RoutingRule[], message: RoutedMessage): { rule: RoutingRule; index: number } | null {
  const index = rules.findIndex((rule) => ruleMatches(rule, message));
  return index < 0 ? null : { rule: rules[index]!, index };
}

/** A sender pattern: the address itself, `*` standing for any run of characters. */
function wildcard(pattern: string): RegExp {
  const body = pattern.split('*').map(escape).join('.*');
  return new RegExp(`^${body}$`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
