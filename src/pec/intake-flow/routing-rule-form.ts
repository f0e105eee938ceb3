import type { RoutingRule } from './routing-rules.js';

/** The fields of the rule form, as the browser posts them (all text; empty means "no such condition"). */
export const RULE_FIELDS = ['name', 'mailbox', 'sender', 'subjectContains', 'subjectMatches', 'office'] as const;

export type RuleFormValues = Partial<Record<(typeof RULE_FIELDS)[number] | 'position', string>>;

/** The rule input a form stands for: empty fields left out, so the rule schema sees only the conditions given. */
export function ruleInputFromForm(body: Record<string, unknown>): Partial<RoutingRule> {
  return Object.fromEntries(
    RULE_FIELDS.flatMap((field) => {
      const value = typeof body[field] === 'string' ? body[field].trim() : '';
      return value ? [[field, value]] : [];
    }),
  );
}

/** A stored rule back as form values (the edit page). */
export function ruleFormValues(rule: RoutingRule): RuleFormValues {
  return Object.fromEntries(RULE_FIELDS.map((field) => [field, rule[field] ?? '']));
}
