#!/usr/bin/env bash
# `npm run demo`: the whole system on this machine — services, schema, demo tenants and users,
# the local mail relay, the local PEC provider and pecflow (web + worker) on port 3000. Ctrl+C stops what it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT=${PORT:-3000}
BASE_DOMAIN=${BASE_DOMAIN:-localhost}
# Warnings and errors only, so the URLs and credentials below stay readable; LOG_LEVEL=info for more.
LOG_LEVEL=${LOG_LEVEL:-warn}
export PORT BASE_DOMAIN LOG_LEVEL

bash scripts/services.sh
npm run build --silent
node dist/cli/main.js db migrate
node dist/cli/main.js tenants sync
node dist/cli/main.js seed scripts/demo-seed.yaml

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping pecflow…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

node dist/cli/main.js local-mail &
pids+=($!)
node dist/cli/main.js pec-provider &
pids+=($!)
node dist/main.js all &
pids+=($!)

for _ in $(seq 1 120); do
  if node -e "fetch('http://127.0.0.1:${PORT}/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then break; fi
  kill -0 "${pids[2]}" 2>/dev/null || { echo "pecflow did not start: see the messages above" >&2; exit 1; }
  sleep 0.5
done
# At the first start only: a few PEC between the demo mailboxes, so they hold arrived PEC and receipts.
node scripts/demo-pec.mjs "http://demo.${BASE_DOMAIN}:${PORT}" admin@demo.test pecflow-demo || echo "the first demo PEC were not sent: see above" >&2

cat <<TXT

  pecflow is running.

    Comune di Demo   http://demo.${BASE_DOMAIN}:${PORT}
    Acme S.p.A.      http://acme.${BASE_DOMAIN}:${PORT}
    API docs         http://demo.${BASE_DOMAIN}:${PORT}/api/docs

  Demo users (password: pecflow-demo)
    demo: admin@demo.test  manager@demo.test  operator@demo.test  user@demo.test
    acme: admin@acme.test

  Their mail (e.g. password-reset links) lands in the local Dovecot:
    IMAP 127.0.0.1:${DOVECOT_IMAP_PORT:-10143}, user = the address, password = pecflow-demo

  Local PEC provider (pec.demo.test, pec.acme.test, pec.example.test):
    SMTP 127.0.0.1:${PEC_PROVIDER_SMTP_PORT:-2526} with AUTH, IMAP as above, password pecflow-demo
    demo: protocollo@pec.demo.test  tributi@pec.demo.test    acme: ufficio.legale@pec.acme.test
    any address @pec.example.test exists: its mail is in catch-all@pec.example.test
  Workspace demo reads and sends from protocollo@ and tributi@ (receipts as they arrive):
    send a test PEC at http://demo.${BASE_DOMAIN}:${PORT}/pec/messages/new (as operator@demo.test)

  Ctrl+C stops everything.
TXT
wait -n "${pids[@]}"
