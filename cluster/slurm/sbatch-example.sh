#!/bin/bash
# A PPO run as a Slurm batch job: `rlhf launch --launcher slurm` inside the allocation starts the learner and
# every worker as job steps on the nodes (one `srun` each), pinned as its placement plan says.
#
#   sbatch cluster/slurm/sbatch-example.sh                          # the defaults below
#   CONFIG=cluster/configs/sentiment-smollm2.yaml sbatch --nodes=4 cluster/slurm/sbatch-example.sh
#
# Needs: rlhf on a path every node sees (RLHF=...), the config's model and data paths on every node (a shared
# file system, as Slurm clusters have), and the run folder on that shared file system too.
#SBATCH --job-name=rlhf-ppo
#SBATCH --nodes=2
#SBATCH --exclusive
#SBATCH --time=02:00:00
#SBATCH --output=rlhf-ppo-%j.log
#SBATCH --signal=B:TERM@120
set -euo pipefail
RLHF="${RLHF:-rlhf}"
CONFIG="${CONFIG:-cluster/configs/sentiment-stories260k.yaml}"
OUTPUT="${OUTPUT:-runs/slurm-$SLURM_JOB_ID}"
# `--signal=B:TERM@120`: two minutes before the time limit Slurm sends SIGTERM to this script; `exec` makes
# rlhf launch that process, so it asks the learner to stop after its current iteration with a checkpoint,
# and `rlhf launch --resume "$OUTPUT"` in the next job goes on from there.
exec "$RLHF" launch --launcher slurm --config "$CONFIG" --output "$OUTPUT" "$@"
