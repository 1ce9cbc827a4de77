#!/usr/bin/env bash
# The Learning-In-Conversation loop on the demo project, end to end and offline:
# a scripted teaching conversation -> detect -> extract -> route -> locate -> patches ->
# new dataset versions -> train -> a summary of what was learned and whether it stuck.
# Runs in a scratch copy (.demo/, or $LIC_DEMO_DIR) so the repository's datasets stay as they are.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work="${LIC_DEMO_DIR:-$here/.demo}"
rm -rf "$work"
mkdir -p "$work"
cp -r "$here/tasks.yaml" "$here/datasets" "$work/"
cp "$here/examples/teach.jsonl" "$work/"
cd "$work"
export LIC_AUTHOR="${LIC_AUTHOR:-demo}"
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
start=$(date +%s)

step "1. The conversation: $(grep -c '"role": "user"' teach.jsonl) user turns in teach.jsonl"
python - <<'PY'
import json, sys
for line in open("teach.jsonl", encoding="utf-8"):
    r = json.loads(line)
    print(f"  [{r['conversation']}] {r['role']:>9}: {r['text']}", file=sys.stderr)
PY

step "2. lic detect | lic extract | lic route | lic locate"
lic detect -i teach.jsonl | lic extract | lic route | lic locate > located.jsonl

step "3. lic apply: one reviewable patch per task (nothing applied yet)"
# --sweep: the other rows the stale-value sweep found still stating a corrected value go into
# the patches too (held for review otherwise); step 4 is that review.
lic apply --sweep -i located.jsonl > written.jsonl

step "4. Review: lic show"
for patch in patches/*/*.patch.jsonl; do lic show "$patch"; done

step "5. Apply the reviewed patches as new dataset versions"
lic apply patches/*/*.patch.jsonl > applied.jsonl
lic log >&2

step "6. lic train ticket_topics: retrain the classifier the conversation changed"
# `lic train` alone retrains every task whose dataset changed, the SmolLM2 chat model
# (support_qa) included: minutes more on a laptop CPU, so the demo leaves it out unless
# LIC_DEMO_TRAIN_ALL=1. Until then, answers use the new rows through live knowledge (step 8).
if [ "${LIC_DEMO_TRAIN_ALL:-0}" = 1 ]; then lic train > trained.jsonl; else lic train ticket_topics > trained.jsonl; fi

step "7. Ask again: the same conversation through the loop, and the retrained models"
lic detect -i teach.jsonl | lic extract | lic route | lic locate > relocated.jsonl

step "8. lic chat: the assistant answers from the new dataset version at once"
echo "How long is the refund window now?" | lic chat --max-new-tokens 32 > asked.jsonl
python "$here/examples/summary.py" --seconds "$(( $(date +%s) - start ))"
