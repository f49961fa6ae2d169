#!/usr/bin/env bash
# Whole-program comparison: native vs `runlx do` vs gVisor `runsc do`
# (ptrace platform).
#
# Usage: bash bench/run.sh            (from anywhere; run as root for runsc)
#
# Environment knobs:
#   SKIP_BUILD=1        don't run `cargo build --release`
#   RUNLX=PATH          runlx binary (default: <workspace>/target/release/runlx)
#   NO_RUNSC=1          don't use (or install) runsc
#   MODES="pinned unpinned"   which CPU modes to run
#   REPS=3              runs per per-op case (the median is reported)
#   STARTUP_RUNS=10     runs per start-up case (the median is reported)
#   TIMEOUT=30          seconds before a single sandboxed run counts as failed
#                       (start-up cases get twice that for all their runs);
#                       after two time-outs a runtime's remaining cases are
#                       "fail" without running, to bound the total time
#
# Cases (each program prints one number; see bench/programs/*.c):
#   getppid      ns per getppid(2)                      (syscall round trip)
#   open+read+close  ns per open+read(4 KiB)+close of a small file
#   stat         ns per stat(2) of a small file
#   seqread      MiB/s reading a 100 MiB file with 1 MiB reads
#   forkwait     µs per fork + child _exit(0) + waitpid
#   forkexec     µs per fork + exec of /bin/true + waitpid
#   pipepong     µs per round trip of one byte between two processes over
#                two pipes
#   bigfork      forkwait with 200 MiB of resident (malloc+memset, untimed)
#                private memory in the parent
#   bigforktouch bigfork where the child writes two bytes of that memory
#                and the parent one after each wait (copy-on-write copies)
#   threadjoin   µs per pthread_create + pthread_join
#   futexpong    µs per round trip between two threads handing a turn
#                over with FUTEX_WAIT/FUTEX_WAKE
#   sigpong      µs per round trip of SIGUSR1 between two processes, both
#                waiting in sigsuspend
#   sigintr      µs from kill(SIGUSR1) to a process blocked in read(2)
#                reporting its EINTR
#   sigraise     µs per raise(SIGUSR1) with an empty handler (signal frame
#                with the XSAVE state, rt_sigreturn)
#   start /bin/true, start python3 -c pass: median wall time in ms of
#                STARTUP_RUNS sequential runs, including the runtime's own
#                start-up and tear-down
# Each is run natively, under runlx and under runsc, in two modes: all
# processes pinned to CPU 0 (`taskset -c 0`) and unpinned. Per-op programs
# take the iteration count as an argument, so the (much slower) sandboxed
# runs use fewer iterations; the reported numbers are per operation.
# A case that fails or times out under a runtime shows "fail"; a runtime
# that is not available shows "n/a". The script never aborts on them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
RUNLX=${RUNLX:-$root/target/release/runlx}
MODES=${MODES:-pinned unpinned}
REPS=${REPS:-3}
STARTUP_RUNS=${STARTUP_RUNS:-10}
TIMEOUT=${TIMEOUT:-30}
PYTHON=/usr/bin/python3

log() { printf '%s\n' "$*" >&2; }

work=$(mktemp -d /tmp/runlx-bench.XXXXXX)
runsc_root=""
cleanup() {
    rm -rf "$work"
    if [[ -n $runsc_root ]]; then rm -rf "$runsc_root"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- build
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "== cargo build --release"
    if ! (cd "$root" && cargo build --release >&2); then
        log "warning: cargo build --release failed; runlx column may show n/a or fail"
    fi
fi
have_runlx=0
if [[ -x $RUNLX ]]; then
    have_runlx=1
else
    log "warning: $RUNLX not found; runlx column is n/a"
fi

# ---------------------------------------------------------------- runsc
have_runsc=0
runsc_cmd=()
if [[ ${NO_RUNSC:-0} != 1 ]]; then
    if ! command -v runsc >/dev/null 2>&1; then
        log "== installing runsc (apt-get)"
        if ! { apt-get update >&2 && apt-get install -y runsc >&2; }; then
            log "warning: could not install runsc; runsc column is n/a"
        fi
    fi
    if command -v runsc >/dev/null 2>&1; then
        if [[ $(id -u) != 0 ]]; then
            log "warning: runsc needs root; runsc column is n/a"
        else
            runsc_root=$(mktemp -d /tmp/runlx-bench-runsc.XXXXXX)
            runsc_cmd=(runsc "--root=$runsc_root" --network=none --platform=ptrace)
            if { runsc flags 2>&1 || runsc --help 2>&1 || true; } | grep -q -- '-ignore-cgroups'; then
                runsc_cmd+=(--ignore-cgroups)
            fi
            runsc_cmd+=(do)
            if timeout -k 5 "$TIMEOUT" "${runsc_cmd[@]}" /bin/true >/dev/null 2>&1; then
                have_runsc=1
                log "runsc: $(runsc --version 2>&1 | head -n1) as: ${runsc_cmd[*]}"
            else
                log "warning: '${runsc_cmd[*]} /bin/true' failed; runsc column is n/a"
            fi
        fi
    fi
fi

# ---------------------------------------------------------------- inputs
log "== compiling bench/programs"
for src in "$here"/programs/*.c; do
    cc -O2 -Wall -o "$work/$(basename "${src%.c}")" "$src"
done
small=$work/small.txt
big=$work/big.bin
printf 'a small file read by the open+read+close and stat cases\n' >"$small"
dd if=/dev/zero of="$big" bs=1M count=100 status=none
cat "$big" >/dev/null # warm the page cache

# ---------------------------------------------------------------- running
# Sandbox wrappers; an empty wrapper means native.
wrapper() {
    case $1 in
        native) ;;
        runlx) printf '%s\0' "$RUNLX" do -- ;;
        runsc) printf '%s\0' "${runsc_cmd[@]}" ;;
    esac
}

available() {
    case $1 in
        native) return 0 ;;
        runlx) [[ $have_runlx == 1 ]] ;;
        runsc) [[ $have_runsc == 1 ]] ;;
    esac
}

# Time-outs per runtime are counted in files (callers run in subshells).
timed_out() { echo x >>"$work/timeouts.$1"; }
broken() { [[ -f $work/timeouts.$1 ]] && (($(wc -l <"$work/timeouts.$1") >= 2)); }

is_number() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) exit 1; if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# run_once MODE RUNTIME PROG ARGS...: prints the program's number, or fails.
# With RUNTIME "raw:RT" the command is already wrapped (time-outs count
# against RT).
run_once() {
    local mode=$1 rt=$2 raw=0
    shift 2
    if [[ $rt == raw:* ]]; then
        rt=${rt#raw:}
        raw=1
    fi
    local -a cmd=()
    if [[ $mode == pinned ]]; then cmd+=(taskset -c 0); fi
    if [[ $rt != native && $raw == 0 ]]; then
        cmd+=(timeout -k 5 "$TIMEOUT")
        local -a w
        mapfile -d '' w < <(wrapper "$rt")
        cmd+=("${w[@]}")
    fi
    cmd+=("$@")
    local out rc=0
    out=$("${cmd[@]}" </dev/null 2>"$work/stderr") || rc=$?
    if ((rc != 0)); then
        if ((rc == 124 || rc == 137)); then
            timed_out "$rt"
            log "  $rt $mode: '$*' timed out"
        fi
        log "  $rt $mode: '$*' failed (exit $rc): $(tail -c 400 "$work/stderr" | tr '\n' ' ')"
        return 1
    fi
    out=$(printf '%s\n' "$out" | tail -n1 | tr -d '\r[:space:]')
    if ! is_number "$out"; then
        log "  $rt $mode: '$*' printed '$out', not a number"
        return 1
    fi
    printf '%s\n' "$out"
}

# measure MODE RUNTIME PROG ARGS...: median of REPS runs, "fail" or "n/a".
measure() {
    local mode=$1 rt=$2
    shift 2
    if ! available "$rt"; then
        echo n/a
        return
    fi
    if broken "$rt"; then
        log "  $rt: skipped after two time-outs"
        echo fail
        return
    fi
    local vals="" v i
    for ((i = 0; i < REPS; i++)); do
        if ! v=$(run_once "$mode" "$rt" "$@"); then
            echo fail
            return
        fi
        vals+="$v"$'\n'
    done
    printf '%s' "$vals" | median
}

# probe MODE RUNTIME CMD ARGS...: whether CMD, run under RUNTIME, really
# ran: it must print exactly "runlx-bench-probe". (A runtime that exits 0
# without running anything would otherwise time as very fast.)
probe() {
    local mode=$1 rt=$2
    shift 2
    local -a cmd=()
    if [[ $mode == pinned ]]; then cmd+=(taskset -c 0); fi
    if [[ $rt != native ]]; then
        local -a w
        mapfile -d '' w < <(wrapper "$rt")
        cmd+=(timeout -k 5 "$TIMEOUT" "${w[@]}")
    fi
    local out rc=0
    out=$("${cmd[@]}" "$@" </dev/null 2>"$work/stderr") || rc=$?
    if ((rc == 124 || rc == 137)); then timed_out "$rt"; fi
    if [[ $out != runlx-bench-probe ]]; then
        log "  $rt $mode: probe '$*' printed '$out': $(tail -c 400 "$work/stderr" | tr '\n' ' ')"
        return 1
    fi
}

# startup MODE RUNTIME PROBE CMD ARGS...: median start-up time in ms of
# CMD; PROBE is the name of a probe (echo, python) that must pass first.
startup() {
    local mode=$1 rt=$2 pr=$3
    shift 3
    if ! available "$rt"; then
        echo n/a
        return
    fi
    if broken "$rt"; then
        log "  $rt: skipped after two time-outs"
        echo fail
        return
    fi
    local -a pcmd
    case $pr in
        echo) pcmd=(/bin/echo runlx-bench-probe) ;;
        python) pcmd=("$PYTHON" -c 'print("runlx-bench-probe")') ;;
    esac
    if ! probe "$mode" "$rt" "${pcmd[@]}"; then
        echo fail
        return
    fi
    local -a w=()
    if [[ $rt != native ]]; then mapfile -d '' w < <(wrapper "$rt"); fi
    local ns
    if ! ns=$(run_once "$mode" "raw:$rt" timeout -k 5 "$((TIMEOUT * 2))" \
        "$work/timeit" "$STARTUP_RUNS" "${w[@]}" "$@"); then
        echo fail
        return
    fi
    awk -v ns="$ns" 'BEGIN {printf "%.2f\n", ns / 1e6}'
}

ratio() {
    if is_number "$1" && is_number "$2" && [[ $2 != 0 && $2 != 0.0 ]]; then
        awk -v a="$1" -v b="$2" 'BEGIN {r = a / b; printf (r >= 100 ? "%.0f" : (r >= 10 ? "%.1f" : "%.2f")), r}'
    else
        echo -
    fi
}

# Iteration counts: native runs ~0.1-0.5 s; sandboxed runs use fewer
# iterations since every syscall traps into a user-space kernel.
declare -A N_NATIVE=([getppid]=2000000 [openread]=200000 [stat]=500000 [seqread]=20
    [forkwait]=2000 [forkexec]=500 [pipepong]=100000 [bigfork]=20 [bigforktouch]=20
    [threadjoin]=20000 [futexpong]=100000 [sigpong]=100000 [sigintr]=2000
    [sigraise]=500000)
declare -A N_SANDBOX=([getppid]=20000 [openread]=5000 [stat]=20000 [seqread]=5
    [forkwait]=200 [forkexec]=50 [pipepong]=5000 [bigfork]=5 [bigforktouch]=5
    [threadjoin]=500 [futexpong]=5000 [sigpong]=5000 [sigintr]=300
    [sigraise]=10000)

case_args() { # case runtime -> program and args
    local c=$1 rt=$2 n
    if [[ $rt == native ]]; then n=${N_NATIVE[$c]}; else n=${N_SANDBOX[$c]}; fi
    case $c in
        getppid) echo "$work/getppid $n" ;;
        openread) echo "$work/openread $small $n" ;;
        stat) echo "$work/stat $small $n" ;;
        seqread) echo "$work/seqread $big $n" ;;
        forkwait) echo "$work/forkwait $n" ;;
        forkexec) echo "$work/forkexec $n /bin/true" ;;
        pipepong) echo "$work/pipepong $n" ;;
        bigfork) echo "$work/forkwait $n 200" ;;
        bigforktouch) echo "$work/forkwait $n 200 touch" ;;
        threadjoin) echo "$work/threadjoin $n" ;;
        futexpong) echo "$work/futexpong $n" ;;
        sigpong) echo "$work/sigpong $n" ;;
        sigintr) echo "$work/sigintr $n" ;;
        sigraise) echo "$work/sigraise $n" ;;
    esac
}

declare -A LABEL=(
    [getppid]="getppid (ns/call)"
    [openread]="open+read+close (ns/iter)"
    [stat]="stat (ns/call)"
    [seqread]="seq read 100 MiB, 1 MiB reads (MiB/s)"
    [forkwait]="fork+exit+wait (µs/iter)"
    [forkexec]="fork+exec+wait /bin/true (µs/iter)"
    [pipepong]="pipe ping-pong, 2 processes (µs/round trip)"
    [bigfork]="fork+exit+wait, 200 MiB resident (µs/iter)"
    [bigforktouch]="same, child and parent each write to it (µs/iter)"
    [threadjoin]="thread create+join (µs/iter)"
    [futexpong]="futex ping-pong, 2 threads (µs/round trip)"
    [sigpong]="signal ping-pong, 2 processes (µs/round trip)"
    [sigintr]="signal to a process blocked in read, to its EINTR (µs)"
    [sigraise]="raise+handler+sigreturn (µs/signal)"
    [true]="start /bin/true (ms)"
    [python]="start python3 -c pass (ms)"
)

for mode in $MODES; do
    log "== mode: $mode"
    rows=()
    for c in getppid openread stat seqread forkwait forkexec pipepong bigfork bigforktouch \
        threadjoin futexpong sigpong sigintr sigraise true python; do
        declare -A v=()
        for rt in native runlx runsc; do
            case $c in
                true) v[$rt]=$(startup "$mode" "$rt" echo /bin/true) ;;
                python) v[$rt]=$(startup "$mode" "$rt" python "$PYTHON" -c pass) ;;
                *)
                    # shellcheck disable=SC2046 # paths contain no spaces
                    v[$rt]=$(measure "$mode" "$rt" $(case_args "$c" "$rt"))
                    ;;
            esac
            log "  ${LABEL[$c]} $rt: ${v[$rt]}"
        done
        rows+=("| ${LABEL[$c]} | ${v[native]} | ${v[runlx]} | ${v[runsc]} | $(ratio "${v[runlx]}" "${v[native]}") | $(ratio "${v[runsc]}" "${v[native]}") |")
        unset v
    done
    if [[ $mode == pinned ]]; then
        title="pinned to one CPU (taskset -c 0)"
    else
        title="unpinned ($(nproc) CPUs)"
    fi
    printf '\n### %s\n\n' "$title"
    echo "| case | native | runlx | runsc | runlx/native | runsc/native |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
done
echo
echo "Ratios are of the reported values: for MiB/s a ratio below 1 is a slowdown."
