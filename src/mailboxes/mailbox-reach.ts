/**
 * Visibility SQL for rows that belong to a mailbox's offices (its PEC, its campaigns): true when the row's
 * `mailbox_id` is assigned to one of the offices in reach (`:reachOffices`, see access/visibility.ts).
 *
 * The mailboxes are an uncorrelated `ARRAY(…)`, which PostgreSQL runs once per query (an InitPlan) and
 * then compares as `= ANY`; the `EXISTS` per row it replaces made the planner expect a row-by-row
 * subquery and pick a full bitmap of the word over a walk newest first (the capped count of an office
 * operator's search: 1 ms instead of 250 ms over a million messages, decision 0031). The subquery stays
 * in the tenant through `:scopeTenantId`, the parameter of every tenant-scoped query that `restrict` is
 * given (TenantScopedRepository.query, the inbox's own builder).
 */
export function inMailboxOffices(alias: string): string {
  return `${alias}.mailbox_id = ANY(ARRAY(SELECT reach_mo.mailbox_id FROM mailbox_offices reach_mo WHERE reach_mo.tenant_id = :scopeTenantId AND reach_mo.office_id = ANY(:reachOffices)))`;
}
