#!/usr/bin/env bash
# Builds the fuzz targets and runs each in turn for a bounded time on the committed seeds
# and regressions; `.ci/run` calls it as "fuzz (bounded)". For longer runs see README.md.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      default: 30 seconds each, every target
#
# FUZZ_CORPUS=DIR  keep what the fuzzer finds in DIR/<target> (default: a temporary folder)
# FUZZ_ARGS=...    more libFuzzer flags, e.g. FUZZ_ARGS='-max_len=200000'
#
# Prints one line per target (execs, coverage, time) and exits non-zero when any target
# crashed, hung (-timeout) or ran out of memory; the input that did it is kept and named.
#
# The build is `cargo fuzz build --sanitizer none` by hand: the same rustc flags (all
# stable, so the pinned stable toolchain is enough), the same target folder, so the two
# share build artifacts. No cargo-fuzz install is needed here.
set -euo pipefail
cd "$(dirname "$0")"

secs=${1:-30}
shift || true
all=(reader copilot claude codex structured redact hooks extract)
targets=("${@:-${all[@]}}")

dict_of() {
    case "$1" in
        structured | extract) echo text ;;
        *) echo "$1" ;;
    esac
}

if ! command -v c++ >/dev/null 2>&1; then
    echo "fuzz: no C++ compiler (c++): libfuzzer-sys builds libFuzzer from source; install g++" >&2
    exit 1
fi

host=$(rustc -vV | sed -n 's/^host: //p')
# What cargo-fuzz 0.13 passes with `--sanitizer none` (sanitizer-coverage instrumentation,
# cfg(fuzzing), debug assertions with overflow checks). Given through RUSTFLAGS with an
# explicit --target, they apply to the fuzzed code but not to build scripts.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing \
-Cllvm-args=-simplifycfg-branch-fold-threshold=0 -Cllvm-args=-sanitizer-coverage-stack-depth \
-Cdebug-assertions -Ccodegen-units=1"
# fuzz/Cargo.lock pins what the main lock pins; a dependency added to a crate since then is
# resolved for this run (and named), rather than failing a run that has nothing to do with it.
locked=--locked
if ! cargo metadata --locked --format-version 1 >/dev/null 2>&1; then
    echo "fuzz: fuzz/Cargo.lock is behind the crates' dependencies; resolving the difference (commit it)" >&2
    locked=
fi
cargo build $locked --release --target "$host" --bins ${CARGO_QUIET:+-q}
bin="${CARGO_TARGET_DIR:-target}/$host/release"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sk-fuzz-run.XXXXXX")
corpus=${FUZZ_CORPUS:-$scratch/corpus}
artifacts=${FUZZ_ARTIFACTS:-$PWD/artifacts}
failed=()
for t in "${targets[@]}"; do
    [ -x "$bin/$t" ] || { echo "fuzz: no target named $t (one of: ${all[*]})" >&2; exit 2; }
    mkdir -p "$corpus/$t" "$artifacts/$t"
    dirs=("$corpus/$t")
    for d in "seeds/$t" "regressions/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    log="$scratch/$t.log"
    started=$(date +%s)
    set +e
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    "$bin/$t" -dict="dict/$(dict_of "$t").dict" -max_total_time="$secs" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$t/" ${FUZZ_ARGS:-} "${dirs[@]}" >"$log" 2>&1
    rc=$?
    set -e
    took=$(($(date +%s) - started))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    size=$(grep -Eo 'corp: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" -eq 0 ]; then
        printf 'fuzz %-10s ok     %9s execs  cov %6s  corpus %5s  %4ss\n' "$t" "${execs:-?}" "${cov:-?}" "${size:-?}" "$took"
    else
        printf 'fuzz %-10s FAILED %9s execs  cov %6s  corpus %5s  %4ss  (exit %s)\n' "$t" "${execs:-?}" "${cov:-?}" "${size:-?}" "$took" "$rc"
        # The panic message and where libFuzzer saved the input.
        grep -E -A3 "panicked at|ERROR: libFuzzer|Test unit written|SUMMARY" "$log" | head -40 | sed 's/^/    /'
        failed+=("$t")
    fi
done
rm -rf "$scratch"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${failed[*]} failed; reproduce with: $(cd "$bin" && pwd)/TARGET FILE" >&2
    exit 1
fi
