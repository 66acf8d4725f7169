#!/usr/bin/env bash
# What one floatgwd binary costs when nothing happens, measured on the
# two-router lab (test/lab/lab.sh): A (priority 150) master, B (100) backup,
# VRRPv3, both natively on this machine unless one runs under callgrind.
#
#   bench/engine-cost.sh [--window S] [--cg-window S] [--phases rss,cpu,instructions]
#                        [--interval S] [--vrids N] [--roles master,backup]
#                        [--emulator 'qemu-mips-static -cpu 24Kc'] <floatgwd>
#
# Prints one line per phase:
#   rss           VmRSS/VmHWM (kB) of master and backup idling 10 s at 1 s
#                 adverts
#   cpu           utime, stime and time on a CPU (schedstat) of each over
#                 --window seconds (default 60) at 100 ms adverts
#   instructions  instructions per advert of the master (per advert sent) and
#                 of the backup (per advert received), counted by valgrind's
#                 callgrind over --cg-window seconds (default 30) at
#                 --interval adverts (default 0.1 s), with its counters
#                 zeroed after start-up (callgrind_control -z) and dumped
#                 at the end (-d), the daemon's and its child's apart: the
#                 master's beacon (floatgwd-watch), the backup's listener
#                 (floatgwd-listen). callgrind follows a fork; with
#                 --trace-children=yes the child's gdbserver answers
#                 callgrind_control too. A transition of either router in
#                 the window is reported on stderr: the count is then not
#                 an idle pair's (at 10 ms adverts the instrumented router
#                 can be too slow to hold its role)
# --vrids N runs N instances (VRIDs 51.., one VIP each) on the link, and
# counts adverts over all of them; --roles counts only the roles named.
# --emulator runs a router CPU's binary (and its status commands) under
# qemu-user. The cpu phase then gives the emulator's time, a rough proxy;
# instructions counts the guest's own instructions instead of valgrind:
# the router under test runs with `-d op,exec,nochain` (each translated
# block with one marker per instruction, each block run), which
# bench/qemu-icount.c adds up, at 1 s adverts unless --interval says
# otherwise (it runs several times slower). The count is the daemon's and
# its children's together (qemu-icount --run keeps the log open in a
# child that closes every descriptor); neither counts what the kernel does
# for a system call. rss means nothing there (the emulator's own memory is
# in it).
# Used to compare engines and builds side by side (docs/performance.md).
# Instruction counts do not depend on the machine's load; CPU time on a
# shared machine does, so compare it between runs started together (each
# has its own lab). Needs root and valgrind; cleans up its namespaces and
# processes (by PID).
set -euo pipefail
window=60 cgwindow=30 phases=rss,cpu,instructions emu=() emu_count=() interval='' vrids=1 roles=master,backup
while [ $# -gt 1 ]; do
  case $1 in
    --window) window=$2; shift 2 ;;
    --cg-window) cgwindow=$2; shift 2 ;;
    --phases) phases=$2; shift 2 ;;
    --emulator) read -ra emu <<<"$2"; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --vrids) vrids=$2; shift 2 ;;
    --roles) roles=$2; shift 2 ;;
    *) break ;;
  esac
done
bin=$(realpath "${1:?usage: bench/engine-cost.sh [--window S] [--cg-window S] [--phases rss,cpu,instructions] [--interval S] [--vrids N] [--roles master,backup] [--emulator CMD] <floatgwd>}")
cd "$(dirname "$0")/.."
if [ ${#emu[@]} = 0 ]; then
  command -v callgrind_control >/dev/null || { echo "engine-cost: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
fi

p=fgec$$
work=$(mktemp -d)
pids=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash test/lab/lab.sh down "$p"
  rm -rf "$work"
}
trap cleanup EXIT
bash test/lab/lab.sh up "$p"

config() { # config <advert_int>: A at priority 150, B at 100, $vrids instances
  local r pr i address
  for r in a b; do
    pr=150 && [ "$r" = b ] && pr=100
    mkdir -p "$work/$r"
    printf "config floatgw 'global'\n\toption enabled '1'\n" >"$work/$r/floatgw"
    for ((i = 0; i < vrids; i++)); do
      address=198.18.0.1 && [ "$i" != 0 ] && address=198.18.0.$((100 + i))
      printf "config vip 'lan%s'\n\toption device 'br-lan'\n\toption vrid '%s'\n\toption version '3'\n\toption advert_int '%s'\n\toption priority '%s'\n\tlist address '%s/24'\n" \
        "$i" $((51 + i)) "$1" "$pr" "$address" >>"$work/$r/floatgw"
    done
  done
}
start() { # start <router> [wrapper...]: the daemon's PID in $started
  local r=$1; shift
  ip netns exec "$p-$r" "$@" "${emu[@]}" "${emu_count[@]}" "$bin" run --config "$work/$r/floatgw" --run-dir "$work/$r/run" \
    2>>"$work/$r.log" &
  started=$!
  pids+=("$started")
}
stop() { # stop <pid>: SIGTERM, then wait for it (bounded)
  kill "$1" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
status() { # status <router> <expression over its instances `is`>; "down" if 5 tries fail
  local out
  for _ in 1 2 3 4 5; do # a loaded emulator can miss the status command's deadline
    out=$("${emu[@]}" "$bin" status --json --run-dir "$work/$1/run" 2>/dev/null |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const is=JSON.parse(s).instances;console.log(eval(process.argv[1]))}catch{console.log("down")}})' "$2")
    [ "$out" != down ] && break
    sleep 0.2
  done
  echo "$out"
}
in_state() { status "$1" "is.length === $vrids && is.every((i) => i.state === '$2')"; }
transitions() { echo $(($(counted a transitions) + $(counted b transitions))); }
counted() { status "$1" "is.reduce((n, i) => n + i.counters.$2, 0)"; } # counted <router> <counter>: over all instances
await_roles() { # A master and B backup, within 120 s (callgrind starts slowly)
  for _ in $(seq 1200); do
    [ "$(in_state a master)" = true ] && [ "$(in_state b backup)" = true ] && return 0
    sleep 0.1
  done
  echo "engine-cost: A master and B backup never settled; logs:" >&2
  tail -n 5 "$work"/*.log >&2
  exit 1
}
kb() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status"; }
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; } # utime stime
oncpu() { awk '{print $1}' "/proc/$1/schedstat"; }
tick_ms=$((1000 / $(getconf CLK_TCK)))
spent() { # spent <pid> <utime0> <stime0> <oncpu0>
  local u s
  read -r u s < <(ticks "$1")
  echo "utime $(((u - $2) * tick_ms)) ms, stime $(((s - $3) * tick_ms)) ms, $((($(oncpu "$1") - $4) / 1000000)) ms on CPU"
}

measure_rss() {
  local a b
  config 1
  start a; a=$started
  start b; b=$started
  await_roles
  sleep 10
  echo "rss master VmRSS $(kb "$a" VmRSS) kB VmHWM $(kb "$a" VmHWM) kB;" \
    "backup VmRSS $(kb "$b" VmRSS) kB VmHWM $(kb "$b" VmHWM) kB"
  stop "$a"; stop "$b"
}

measure_cpu() {
  local a b ua sa na ub sb nb tx rx
  config 0.1
  start a; a=$started
  start b; b=$started
  await_roles
  sleep 3
  read -r ua sa < <(ticks "$a")
  read -r ub sb < <(ticks "$b")
  na=$(oncpu "$a") nb=$(oncpu "$b")
  tx=$(counted a advertsTx) rx=$(counted b advertsRx)
  sleep "$window"
  tx=$(($(counted a advertsTx) - tx)) rx=$(($(counted b advertsRx) - rx))
  echo "cpu ${window} s master $(spent "$a" "$ua" "$sa" "$na"), $tx adverts sent;" \
    "backup $(spent "$b" "$ub" "$sb" "$nb"), $rx adverts received"
  stop "$a"; stop "$b"
}

per_advert() { # per_advert <router counted> <counter>: sets ir, ir_children and adverts
  local r=$1 counter=$2 other=a pid native c0 n0 kids k t0
  [ "$r" = a ] && other=b
  start "$other"; native=$started
  if [ ${#emu[@]} = 0 ]; then
    start "$r" valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$work/cg.$r.%p" -q; pid=$started
  else
    rm -f "$work/qlog" "$work/icount"
    mkfifo "$work/qlog"
    "$work/qemu-icount" "$work/icount" <"$work/qlog" & icount=$!
    pids+=("$icount")
    emu_count=(-d "op,exec,nochain" -D "$work/qlog")
    start "$r" "$work/qemu-icount" --run; pid=$started
    emu_count=()
  fi
  await_roles
  sleep 3
  kids=$(children "$pid")
  t0=$(transitions)
  c0=$(counted "$r" "$counter")
  if [ ${#emu[@]} = 0 ]; then
    for k in $pid $kids; do callgrind_control -z "$k" >/dev/null 2>&1; done
  else
    n0=$(icount_now)
  fi
  sleep "$cgwindow"
  if [ ${#emu[@]} = 0 ]; then
    for k in $pid $kids; do callgrind_control -d "$k" >/dev/null 2>&1; done
    ir=$(cg_totals "$pid") ir_children=0
    for k in $kids; do ir_children=$((ir_children + $(cg_totals "$k"))); done
  else
    ir=$(($(icount_now) - n0))
  fi
  adverts=$(($(counted "$r" "$counter") - c0))
  [ "$(transitions)" = "$t0" ] ||
    echo "engine-cost: $(($(transitions) - t0)) transitions in the window: this count is not an idle pair's (the instrumented router was too slow?)" >&2
  [ "$(children "$pid")" = "$kids" ] || echo "engine-cost: $r's children changed in the window ($kids -> $(children "$pid"))" >&2
  stop "$pid"; stop "$native"
}

children() { cat /proc/"$1"/task/*/children 2>/dev/null | xargs; } # children <pid>: their PIDs
cg_totals() { # cg_totals <pid>: the instructions in its callgrind dump (-d), written in its own time
  local f="$work/cg.$r.$1.1"
  for _ in $(seq 300); do [ -s "$f" ] && break; kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if [ -s "$f" ]; then awk '/^totals:/{print $2}' "$f"; else echo "engine-cost: $1 ended before its dump: counted 0" >&2; echo 0; fi
}

icount_now() { # the guest instructions counted so far
  rm -f "$work/icount"
  kill -USR1 "$icount"
  for _ in $(seq 100); do [ -s "$work/icount" ] && break; sleep 0.1; done
  cat "$work/icount"
}

measure_instructions() {
  local role line
  if [ ${#emu[@]} != 0 ]; then
    interval=${interval:-1}
    gcc -O2 -o "$work/qemu-icount" bench/qemu-icount.c
  fi
  interval=${interval:-0.1}
  config "$interval"
  line="instructions ${cgwindow} s at ${interval} s adverts, $vrids VRID(s):"
  for role in ${roles//,/ }; do
    case $role in
      master) per_advert a advertsTx; line+=" master" ;;
      backup) per_advert b advertsRx; line+=" backup" ;;
      *) echo "engine-cost: unknown role '$role'" >&2; exit 2 ;;
    esac
    if [ ${#emu[@]} = 0 ]; then
      line+=" $(((ir + ir_children) / adverts)) per advert (daemon $((ir / adverts)) + child $((ir_children / adverts)); $((ir + ir_children)) over $adverts);"
    else
      line+=" $((ir / adverts)) per advert (daemon and child: $ir over $adverts);"
    fi
  done
  echo "${line%;} (master: per advert sent, backup: per advert received)"
}

for phase in ${phases//,/ }; do
  case $phase in
    rss) measure_rss ;;
    cpu) measure_cpu ;;
    instructions) measure_instructions ;;
    *) echo "engine-cost: unknown phase '$phase'" >&2; exit 2 ;;
  esac
done
