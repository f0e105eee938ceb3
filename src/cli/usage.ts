import { PROFILES } from '../pec-provider/rate-limiter.js';

/** What `pecflow` prints when called without a command it knows. */
export const USAGE = `usage: pecflow <command>
  db migrate              create the database if missing and apply every pending migration
  tenants sync            make the tenants table match tenants/*.yaml
  seed <file.yaml>        create the users and PEC mailboxes a seed file lists (see scripts/demo-seed.yaml)
  local-mail              run the local mail relay (SMTP on LOCAL_MAIL_PORT → Dovecot)
  pec-provider            run the local PEC provider (SMTP on PEC_PROVIDER_SMTP_PORT, mailboxes of tenants/*.yaml pec:)
  pec-provider mailbox add <address> [--profile ${Object.keys(PROFILES).join('|')}] [--password <pw>]
                          create a PEC mailbox (prints the generated password when none is given)
  beats add-pack --tenant <slug> --beats <n> --expires <YYYY-MM-DD> [--purchased <YYYY-MM-DD>] [--contract <text>] [--key <key>]
                          add a prepaid beats pack to a workspace (it counts until the end of --expires, Italian time)
  audit verify --tenant <slug>
                          check the tenant's activity log chain; exit 1 naming the first altered or missing entry
  pec inspect <file.eml>  print what the PEC parser reads in a message (type, ids, daticert, signature) as JSON`;
