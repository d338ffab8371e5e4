#!/usr/bin/env python3
"""Whether PPO learns on the GPU as on the CPU (scripts/gpu-check.sh): reads two metrics.jsonl files of the same
run config and prints, per iteration, the mean reward and KL of each, then one verdict line. The two runs start
from the same weights and seed; float sums in another order make them drift apart, so the verdict compares the
learning, not the bits: the GPU run's mean reward over the last third must be at least the CPU run's minus two
of the CPU run's standard deviations over those iterations, and must have risen from the first iteration.
Usage: gpu-compare-ppo.py CPU_METRICS GPU_METRICS"""
import json, statistics, sys


def series(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    rows = [r for r in rows if "env/reward_mean" in r or "reward_mean" in r]
    return [r.get("env/reward_mean", r.get("reward_mean")) for r in rows], [r.get("objective/kl", r.get("kl")) for r in rows]


cpu_reward, cpu_kl = series(sys.argv[1])
gpu_reward, gpu_kl = series(sys.argv[2])
if len(gpu_reward) != len(cpu_reward) or len(cpu_reward) < 3:
    print(f"FAIL: the runs are incomplete: {len(cpu_reward)} CPU and {len(gpu_reward)} GPU iterations (at least 3 each, the same count)")
    sys.exit(1)
for i, (c, g) in enumerate(zip(cpu_reward, gpu_reward)):
    print(f"iteration {i + 1}: reward cpu {c:.4f} gpu {g:.4f}  kl cpu {cpu_kl[i]} gpu {gpu_kl[i]}")
third = max(1, len(cpu_reward) // 3)
cpu_tail, gpu_tail = cpu_reward[-third:], gpu_reward[-third:]
spread = statistics.pstdev(cpu_tail) if len(cpu_tail) > 1 else 0.0
learns = statistics.mean(gpu_tail) >= statistics.mean(cpu_tail) - 2 * spread - 1e-6 and statistics.mean(gpu_tail) > gpu_reward[0]
print(f"{'PASS' if learns else 'FAIL'}: last-third mean reward gpu {statistics.mean(gpu_tail):.4f} cpu {statistics.mean(cpu_tail):.4f} "
      f"(cpu spread {spread:.4f}); first iteration gpu {gpu_reward[0]:.4f}")
sys.exit(0 if learns else 1)
