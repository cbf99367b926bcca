#!/usr/bin/env bash
# Keep one pull-request (GitHub) or merge-request (GitLab) comment holding pgdrift's Markdown
# report: found by a hidden marker on its first line and updated in place on every run,
# instead of a new comment each time.
#
#   report-comment.sh github pgdrift-reports/pgdrift.md
#       GITHUB_TOKEN (pull-requests: write), GITHUB_REPOSITORY, PR_NUMBER; GITHUB_API_URL
#   report-comment.sh gitlab pgdrift-reports/pgdrift.md
#       GITLAB_TOKEN (a project or group access token with the api scope: CI_JOB_TOKEN cannot
#       write notes), CI_PROJECT_ID, CI_MERGE_REQUEST_IID, CI_API_V4_URL
#
# PGDRIFT_COMMENT_MARKER (default `<!-- pgdrift-report -->`) tells apart the comments of
# several checks on one pull request. A report longer than a comment may be (GitHub: 65,536
# characters) is cut with a note pointing at the job's artifacts. Needs curl and jq. The token
# goes only into a request header, never into the output.
set -euo pipefail

if [ $# -ne 2 ] || { [ "$1" != github ] && [ "$1" != gitlab ]; }; then
  echo "usage: report-comment.sh github|gitlab REPORT.md" >&2
  exit 2
fi
platform=$1 report=$2
marker=${PGDRIFT_COMMENT_MARKER:-<!-- pgdrift-report -->}
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "report-comment.sh: $tool is missing" >&2; exit 2; }
done
[ -f "$report" ] || { echo "report-comment.sh: no report at $report" >&2; exit 2; }

need() {
  for name in "$@"; do
    [ -n "${!name:-}" ] || { echo "report-comment.sh: $name is not set" >&2; exit 2; }
  done
}
if [ "$platform" = github ]; then
  need GITHUB_TOKEN GITHUB_REPOSITORY PR_NUMBER
  api=${GITHUB_API_URL:-https://api.github.com}
  header="Authorization: Bearer $GITHUB_TOKEN"
  list="$api/repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments"
  one="$api/repos/$GITHUB_REPOSITORY/issues/comments"
  update=PATCH
  limit=65536
else
  need GITLAB_TOKEN CI_PROJECT_ID CI_MERGE_REQUEST_IID CI_API_V4_URL
  api=$CI_API_V4_URL
  header="PRIVATE-TOKEN: $GITLAB_TOKEN"
  list="$api/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
  one=$list
  update=PUT
  limit=1000000
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The header through a file: a token on the command line would show in the process list.
printf '%s\n' "$header" > "$work/header"
call() { curl -fsS --retry 2 -H @"$work/header" -H "Content-Type: application/json" "$@"; }

# The body: the marker, then the report, cut (in characters, as the limit counts) with a note.
note=$'\n\n---\n*The report was cut here to fit in a comment; the full report is in the job\'s artifacts.*'
jq -Rs --arg marker "$marker" --arg note "$note" --argjson limit "$limit" '
  ($marker + "\n\n") as $head
  | ($limit - ($head | length) - ($note | length)) as $room
  | {body: ($head + (if length > ($limit - ($head | length)) then .[:$room] + $note else . end))}
' < "$report" > "$work/body.json"

# The comment carrying the marker, on any page of the list.
id=""
page=1
while [ -z "$id" ]; do
  call "$list?per_page=100&page=$page" > "$work/page.json"
  [ "$(jq 'length' < "$work/page.json")" -gt 0 ] || break
  id=$(jq -r --arg marker "$marker" \
    'map(select((.body // "") | startswith($marker))) | first | .id // empty' < "$work/page.json")
  page=$((page + 1))
done

if [ -n "$id" ]; then
  call -X "$update" "$one/$id" --data @"$work/body.json" > /dev/null
  echo "report-comment.sh: updated comment $id"
else
  call -X POST "$list" --data @"$work/body.json" > /dev/null
  echo "report-comment.sh: added the report comment"
fi
