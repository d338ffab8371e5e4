#!/usr/bin/env bash
# Weights across hosts (docs/PERFORMANCE.md, "Weights across hosts"): two hosts of network namespaces joined
# to this machine by veth pairs (host K is 10.78.K.2, this machine 10.78.K.1 on its link), the bench's
# learner on this machine at 10.78.1.1, and its generators as `rlhf bench stand-in` processes in the hosts
# by turns, so every byte crosses a veth link. `rlhf bench transport --generator-host` measures plain tcp
# (chunks over the learner's channel) and CurveZMQ both ways (chunks sealed once, from the weights socket;
# and chunks over each generator's CurveZMQ connection, as before sealing); then, with LORA_RANK set, a LoRA
# adapter of that rank the same ways; then the
# C libzmq baseline (scripts/zmq-baseline/broadcast.c), its dealers in the same namespaces, plain and CURVE,
# by turns with the bench, ROUNDS times. Needs root (ip netns).
# usage: scripts/measure-weights-across-hosts.sh RLHF_BINARY [ROUNDS] [GENERATORS]
set -euo pipefail
rlhf="$(realpath "$1")"; rounds="${2:-3}"; generators="${3:-4}"
cd "$(dirname "$0")/.."
hosts=(rlhfwh1 rlhfwh2)
cleanup() {
  for i in 1 2; do ip netns del "${hosts[$((i-1))]}" 2>/dev/null || true; ip link del "rlhfwo$i" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
for i in 1 2; do
  ns="${hosts[$((i-1))]}"
  ip netns add "$ns"
  ip link add "rlhfwo$i" type veth peer name "rlhfwi$i"
  ip link set "rlhfwi$i" netns "$ns"
  ip addr add "10.78.$i.1/24" dev "rlhfwo$i"; ip link set "rlhfwo$i" up
  ip netns exec "$ns" ip addr add "10.78.$i.2/24" dev "rlhfwi$i"
  ip netns exec "$ns" ip link set "rlhfwi$i" up
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip route add default via "10.78.$i.1"
done
gcc -O2 -o /tmp/zmq-broadcast scripts/zmq-baseline/broadcast.c -lzmq -lsodium -lpthread
for round in $(seq "$rounds"); do
  echo "# round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$rlhf" bench transport --generators "$generators" --runs 5 --warmup 1 --learner-address 10.78.1.1 \
    --generator-host "ip netns exec ${hosts[0]}" --generator-host "ip netns exec ${hosts[1]}" --json
  if [ -n "${LORA_RANK:-}" ]; then
    "$rlhf" bench transport --generators "$generators" --runs 5 --warmup 1 --learner-address 10.78.1.1 --lora-rank "$LORA_RANK" \
      --generator-host "ip netns exec ${hosts[0]}" --generator-host "ip netns exec ${hosts[1]}" --json
  fi
  /tmp/zmq-broadcast "$generators" 0 1 10.78.1.1 "${hosts[0]},${hosts[1]}"
  /tmp/zmq-broadcast "$generators" 1 1 10.78.1.1 "${hosts[0]},${hosts[1]}"
done
