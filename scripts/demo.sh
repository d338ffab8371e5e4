#!/usr/bin/env bash
# `make demo`: the whole RLHF pipeline on the embedded default, with real models and data.
#   1. train the MiniLM sentiment reward model on IMDb reviews;
#   2. PPO on SmolLM2-135M-Instruct, continuing IMDb review openings, rewarded by that model;
#   3. evaluate the starting policy against the PPO policy on 128 held-out openings;
#   4. write the report, print its path and a two-line summary (the reward gain in standard errors, the KL).
# DEMO=quick runs the same stages on stories260K with VADER as the reward (nothing to train in stage 1), in
# a minute or two. A second run reuses the reward model and the PPO run of the first (an interrupted PPO
# run resumes from its newest checkpoint); DEMO_FRESH=1 trains everything again.
# Paths: RLHF_MODELS (models), RLHF_SHARED (../shared), DEMO_OUT (runs/demo or runs/demo-quick).
# It fails (status 1) when the PPO policy does not beat the base by DEMO_MIN_SE (2) standard errors.
#   usage: scripts/demo.sh PATH/TO/rlhf
set -euo pipefail
rlhf=${1:?usage: demo.sh PATH/TO/rlhf}
mode=${DEMO:-full}
export RLHF_MODELS=${RLHF_MODELS:-models} RLHF_SHARED=${RLHF_SHARED:-../shared}
models=$RLHF_MODELS data=$RLHF_SHARED/data
case "$mode" in
  full) out=${DEMO_OUT:-runs/demo} ;;
  quick) out=${DEMO_OUT:-runs/demo-quick} ;;
  *) echo "demo: DEMO must be full or quick, not '$mode'" >&2; exit 2 ;;
esac
fresh=()
[ "${DEMO_FRESH:-0}" = 1 ] && fresh=(--force)
min_se=${DEMO_MIN_SE:-2}
mkdir -p "$out"
timings="$out/stage-times.txt"
: > "$timings"
demo_start=$(date +%s)
stage_start=0
stage() { stage_start=$(date +%s); printf '\n== stage %s/4: %s\n' "$1" "$2"; }
stage_done() {
  local seconds=$(( $(date +%s) - stage_start ))
  printf '   %s: %d s\n' "$1" "$seconds"
  printf '%s\t%d\n' "$1" "$seconds" >> "$timings"
}

if [ "$mode" = full ]; then
  policy=(--policy "$models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
  config=cluster/configs/demo-sentiment-smollm2.yaml
  iterations=30
  reward_model="$out/reward-model"
  stage 1 "the sentiment reward model (all-MiniLM-L6-v2 + a fresh head, 2,000 IMDb reviews, 1 epoch)"
  if [ -f "$reward_model/config.json" ] && [ ${#fresh[@]} = 0 ]; then
    echo "   reusing $reward_model (DEMO_FRESH=1 trains it again)"
  else
    "$rlhf" reward train --model "$models/all-minilm-l6-v2" --format imdb --data "$data/imdb-train.jsonl.gz" \
      --eval-data "$data/imdb-test.jsonl.gz" --train-size 2000 --eval-size 500 --max-len 128 --lr 5e-5 \
      --output "$reward_model" "${fresh[@]}"
  fi
  stage_done "reward model"
  ppo_set=(--set "reward.model=$reward_model" --set "iterations=$iterations")
  reward=(--reward-model "$reward_model")
else
  policy=(--policy "$data/stories260K/stories260K.bin" --tokenizer "$data/stories260K/tok512.bin")
  config=cluster/configs/sentiment-stories260k.yaml
  iterations=30
  stage 1 "the reward: VADER's sentiment lexicon (nothing to train)"
  [ -f "$models/vader/vader_lexicon.txt" ] || { echo "demo: $models/vader/vader_lexicon.txt is missing: run make models" >&2; exit 2; }
  echo "   $models/vader"
  stage_done "reward"
  ppo_set=(--set "iterations=$iterations")
  reward=(--reward vader)
fi

stage 2 "PPO, $iterations iterations of 16 prompts ($config)"
final=$(printf '%s/ppo/checkpoints/iteration-%06d' "$out" "$iterations")
if [ -d "$final" ] && [ ${#fresh[@]} = 0 ]; then
  echo "   reusing $out/ppo (DEMO_FRESH=1 trains it again)"
else
  resume=()
  if [ ${#fresh[@]} = 0 ] && ls "$out/ppo/checkpoints" 2>/dev/null | grep -q '^iteration-'; then
    resume=(--resume)
    echo "   resuming $out/ppo from its newest checkpoint"
  fi
  "$rlhf" ppo --config "$config" "${ppo_set[@]}" --set eval_every=0 --set save_every=10 --output "$out/ppo" \
    "${resume[@]}" "${fresh[@]}"
fi
stage_done "PPO"

stage 3 "evaluation: the base policy against the PPO policy on 128 held-out IMDb openings"
table=$("$rlhf" eval "${policy[@]}" --policy "$out/ppo" --name base --name ppo \
  --prompts "$data/imdb-test.jsonl.gz" --prompt-format imdb --count 128 "${reward[@]}" \
  --run "$out/ppo" --output "$out/eval" --force)
echo "$table" | grep -v '^wrote '
stage_done "evaluation"

stage 4 "the report"
echo "   $out/eval/report.html"
stage_done "report"
total=$(( $(date +%s) - demo_start ))
printf 'total\t%d\n' "$total" >> "$timings"
echo
echo "demo done in $total s; report: $out/eval/report.html"
summary=$(echo "$table" | grep -E '^(reward gain|KL) ')
echo "$summary"
gain_se=$(echo "$summary" | sed -n 's/.*(\([-0-9.]*\) standard errors).*/\1/p')
if ! awk -v g="$gain_se" -v m="$min_se" 'BEGIN { exit !(g >= m) }'; then
  echo "demo: the PPO policy's gain is $gain_se standard errors, short of $min_se" >&2
  exit 1
fi
