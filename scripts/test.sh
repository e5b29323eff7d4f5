#!/usr/bin/env bash
# scripts/test.sh - every test of xvisor-x86; what `make test` runs (after
# scripts/deps.sh).
#
# Stages, each run even when an earlier one failed:
#   unit     make unit (tests/unit/unit.mk: cmocka on the host); counted from
#            its "unit: N passed, M failed[, K skipped]" line
#   fuzz     make fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-10} GUEST_FUZZ_RUNS=0 (the guest
#            fuzzer runs with the system tests), when tests/fuzz/fuzz.mk
#            exists (XVISOR_TEST_FUZZ=0 skips it); counts as one test
#   build    make all (kernel, DTBs, ISO); counts as one test
#   system   /usr/bin/python3 -m pytest -v tests/system (Bochs and QEMU);
#            counted from pytest's summary (failed + errors are failures)
#   beside   a second pytest session run beside the system stage:
#            tests/system/test_linux_guest.py (Debian's kernel in Bochs;
#            skipped with the reason where its packages cannot be fetched)
#            and the files of BESIDE below, so that both sessions take
#            about as long
# A stage that fails without reporting counts (missing makefile, crash)
# counts as one failed test. The last line is
#   tests: N passed, M failed[, K skipped]
# and the exit status is non-zero when anything failed or nothing ran
# (pytest exit status 5: no tests collected). Logs: build/test-logs/.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=/usr/bin/python3
logs=build/test-logs
mkdir -p "$logs"

total_pass=0; total_fail=0; total_skip=0; bad=0; summary=()

# record STAGE PASSED FAILED NOTE
record() {
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  [ "$3" -eq 0 ] || bad=1
  summary+=("$(printf '  %-7s %4d passed, %4d failed%s' "$1" "$2" "$3" "${4:+  ($4)}")")
}

banner() { printf '\n==== %s ====\n' "$*"; }

# --- unit -------------------------------------------------------------------
banner "unit tests: make unit"
if [ ! -f tests/unit/unit.mk ]; then
  echo "test.sh: tests/unit/unit.mk does not exist: no unit tests to run (counted as a failure)"
  record unit 0 1 "tests/unit/unit.mk missing"
else
  make --no-print-directory unit 2>&1 | tee "$logs/unit.log"
  rc=${PIPESTATUS[0]}
  line=$(grep -aE '^unit: [0-9]+ passed, [0-9]+ failed' "$logs/unit.log" | tail -1)
  if [ -n "$line" ]; then
    p=$(sed -E 's/^unit: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
    f=$(sed -E 's/^unit: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
    k=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '^[0-9]+' || echo 0)
    total_skip=$((total_skip + k))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      record unit "$p" 1 "make unit exited $rc although it reported no failure"
    else
      record unit "$p" "$f" "$([ "$k" -eq 0 ] || echo "$k skipped: known-wrong behaviour, see the log")"
    fi
  else
    record unit 0 1 "make unit exited $rc without a 'unit: N passed, M failed' line"
  fi
fi

# --- fuzz -------------------------------------------------------------------
if [ -f tests/fuzz/fuzz.mk ] && [ "${XVISOR_TEST_FUZZ:-1}" != 0 ]; then
  banner "fuzz: make fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-10}"
  # the guest fuzzer runs in the system tests, with a fixed seed
  make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}" GUEST_FUZZ_RUNS=0 2>&1 | tee "$logs/fuzz.log"
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then record fuzz 1 0; else record fuzz 0 1 "make fuzz failed"; fi
fi

# --- build ------------------------------------------------------------------
banner "build: make all"
make --no-print-directory all 2>&1 | tee "$logs/build.log"
if [ "${PIPESTATUS[0]}" -eq 0 ]; then record build 1 0; else record build 0 1 "make all failed"; fi

# --- system -----------------------------------------------------------------
# Two pytest sessions at once (the machine has two cores; conftest keeps
# sessions apart): the Linux guest boots (tests/system/test_linux_guest.py,
# the slowest, about 4 minutes) and the files of BESIDE (about 3 minutes)
# in the background, everything else (about 7 minutes) in the foreground.
# Each is counted from its own summary line.
BESIDE=(test_linux_guest.py test_image.py test_screen.py test_keyboard.py
        test_tsc_calibration.py test_power_methods.py test_vmx_firmware.py
        test_hostile.py test_smp_guest.py)
beside=(); ignore=()
for f in "${BESIDE[@]}"; do
  beside+=("tests/system/$f"); ignore+=("--ignore=tests/system/$f")
done
count_pytest() {   # count_pytest STAGE LOG RC
  local final p xp f e xf s note
  # pytest's last line: "=== 20 passed, 1 failed, 3 xfailed, 1 error in 21.8s ==="
  final=$(grep -aE '^=+ .* in [0-9.]+s' "$2" | tail -1)
  count() { grep -oE "[0-9]+ $1" <<<"$final" | grep -oE '^[0-9]+' || echo 0; }
  p=$(count passed); xp=$(count xpassed); f=$(count failed); e=$(count 'errors?')
  xf=$(count xfailed); s=$(count skipped)
  p=$((p + xp)); f=$((f + e))
  note="pytest exit $3"
  [ "$xf" -eq 0 ] || note+=", $xf xfailed"
  [ "$s" -eq 0 ] || note+=", $s skipped"
  total_skip=$((total_skip + s))
  case $3 in
    0|1) if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; note+=": failed without a count"; fi ;;
    5)   f=$((f + 1)); note+=": no tests collected" ;;
    *)   f=$((f + 1)); note+=": pytest itself failed" ;;
  esac
  record "$1" "$p" "$f" "$note"
}
banner "system tests: pytest -v tests/system (${BESIDE[*]} beside, log $logs/system-beside.log)"
"$PYTHON" -m pytest -v -rs "${beside[@]}" > "$logs/system-beside.log" 2>&1 &
beside_pid=$!
"$PYTHON" -m pytest -v -rs "${ignore[@]}" tests/system 2>&1 | tee "$logs/system.log"
rc=${PIPESTATUS[0]}
count_pytest system "$logs/system.log" "$rc"
wait "$beside_pid"
lrc=$?
banner "system tests: ${BESIDE[*]} (ran beside)"
cat "$logs/system-beside.log"
count_pytest beside "$logs/system-beside.log" "$lrc"

# --- result -----------------------------------------------------------------
banner "summary"
printf '%s\n' "${summary[@]}"
if [ $((total_pass + total_fail)) -eq 0 ]; then
  echo "test.sh: no test ran"
  bad=1
fi
if [ "$total_skip" -eq 0 ]; then
  echo "tests: $total_pass passed, $total_fail failed"
else
  echo "tests: $total_pass passed, $total_fail failed, $total_skip skipped"
fi
exit $bad
