#!/usr/bin/env bash
# `make demo-cluster`: the demo's PPO run as a cluster of processes on this machine. `rlhf launch` starts
# the learner, a rollout generator, a reward scorer and a reference worker from a localhost host file
# (each process gets every core and they take turns, as on-policy PPO does); `rlhf monitor` is attached
# beside it in a tmux pane. Then the same evaluation and report as `make demo`. On a terminal the tmux
# session is shown (detach with Ctrl-b d; the run goes on); otherwise it runs unseen and the script waits.
# The reward model is the one `make demo` trained (trained here when missing). Paths as in scripts/demo.sh;
# DEMO_OUT defaults to runs/demo-cluster.   usage: scripts/demo-cluster.sh PATH/TO/rlhf
set -euo pipefail
rlhf=$(realpath "${1:?usage: demo-cluster.sh PATH/TO/rlhf}")
export RLHF_MODELS=${RLHF_MODELS:-models} RLHF_SHARED=${RLHF_SHARED:-../shared}
models=$RLHF_MODELS data=$RLHF_SHARED/data
out=${DEMO_OUT:-runs/demo-cluster}
reward_model=${DEMO_REWARD_MODEL:-runs/demo/reward-model}
iterations=${DEMO_ITERATIONS:-30}
session="rlhf-demo-$$"
command -v tmux > /dev/null || { echo "demo-cluster: tmux is missing (make deps installs it)" >&2; exit 2; }
mkdir -p "$out"

printf '\n== stage 1/4: the sentiment reward model\n'
if [ -f "$reward_model/config.json" ]; then
  echo "   reusing $reward_model"
else
  "$rlhf" reward train --model "$models/all-minilm-l6-v2" --format imdb --data "$data/imdb-train.jsonl.gz" \
    --eval-data "$data/imdb-test.jsonl.gz" --train-size 2000 --eval-size 500 --max-len 128 --lr 5e-5 --output "$reward_model"
fi

printf '\n== stage 2/4: PPO as a cluster: learner, rollout, reward and reference processes (tmux session %s)\n' "$session"
echo "localhost slots=4 cores=shared" > "$out/hosts.txt"
launch="'$rlhf' launch --hostfile '$out/hosts.txt' --config cluster/configs/demo-sentiment-smollm2.yaml \
--set 'reward.model=$reward_model' --set iterations=$iterations --set eval_every=0 --set save_every=10 \
--output '$out/ppo' --force; echo \$? > '$out/launch.status'"
monitor="while [ ! -f '$out/ppo/cluster.json' ]; do sleep 0.5; done; '$rlhf' monitor --run '$out/ppo'"
rm -f "$out/launch.status"
tmux new-session -d -s "$session" -x 200 -y 50 "$launch"
tmux split-window -h -t "$session" "$monitor"
if [ -t 1 ] && [ -z "${TMUX:-}" ]; then
  tmux attach -t "$session" || true
fi
while [ ! -f "$out/launch.status" ]; do sleep 1; done
tmux kill-session -t "$session" 2> /dev/null || true
status=$(cat "$out/launch.status")
[ "$status" = 0 ] || { echo "demo-cluster: rlhf launch ended with status $status (logs in $out/ppo/logs)" >&2; exit 1; }

printf '\n== stage 3/4: evaluation: the base policy against the cluster-trained PPO policy\n'
table=$("$rlhf" eval --policy "$models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" --policy "$out/ppo" --name base --name ppo-cluster \
  --prompts "$data/imdb-test.jsonl.gz" --prompt-format imdb --count 128 --reward-model "$reward_model" \
  --run "$out/ppo" --output "$out/eval" --force)
echo "$table" | grep -v '^wrote '
printf '\n== stage 4/4: the report\n%s\n' "$out/eval/report.html"
