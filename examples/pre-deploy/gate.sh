#!/usr/bin/env bash
# Pre-deploy gate: refuse to deploy when the target database has drifted from the schema the
# migrations describe. Run it right before your migration/deploy step:
#
#   examples/pre-deploy/gate.sh [POLICY] && ./deploy.sh
#
# Exit codes follow pgdrift's: 0 go, 1 drift (blocked), 2 could not verify (blocked unless
# PGDRIFT_ALLOW_UNVERIFIED=1, for a deploy that must go out while the database is unreachable).
#
# Environment:
#   PGDRIFT                    the pgdrift binary (default: pgdrift on PATH)
#   PGDRIFT_REPORT_DIR         where the reports go (default: pgdrift-reports)
#   PGDRIFT_ALLOW_UNVERIFIED   1 to let a run that could not finish pass with a warning
#   and whatever the policy interpolates, e.g. PROD_DATABASE_URL
set -uo pipefail

policy="${1:-schema-policy.toml}"
pgdrift="${PGDRIFT:-pgdrift}"
reports="${PGDRIFT_REPORT_DIR:-pgdrift-reports}"

"$pgdrift" check --policy "$policy" --output-dir "$reports"
code=$?

case "$code" in
  0)
    echo "pre-deploy gate: the schema matches; go."
    ;;
  1)
    echo "pre-deploy gate: BLOCKED: the database has drifted from the migrations." >&2
    echo "  Details: $reports/pgdrift.md (summary), $reports/pgdrift.html (full report)." >&2
    ;;
  *)
    if [ "${PGDRIFT_ALLOW_UNVERIFIED:-0}" = "1" ]; then
      echo "pre-deploy gate: WARNING: could not verify the schema (exit $code); PGDRIFT_ALLOW_UNVERIFIED=1, so going ahead." >&2
      exit 0
    fi
    echo "pre-deploy gate: BLOCKED: could not verify the schema (exit $code); see the messages above." >&2
    echo "  Set PGDRIFT_ALLOW_UNVERIFIED=1 to deploy anyway." >&2
    ;;
esac
exit "$code"
