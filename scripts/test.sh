#!/usr/bin/env bash
# The whole suite, as `npm test` and CI run it: services, lint, types, build, then every Jest
# project (unit, integration against real PostgreSQL/Redis/Dovecot, browser in Debian's Chromium).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/services.sh --with-chromium
npm run lint
npm run typecheck
npm run build
NODE_OPTIONS=--experimental-vm-modules npx jest --ci "$@"
