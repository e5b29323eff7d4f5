#!/bin/bash
# tests/unit/run.sh OUTDIR TEST... - run every cmocka test binary (all of
# them, even after a failure), show their full output, and end with
#   unit: N passed, M failed
# counting individual test cases from cmocka's per-group summaries. A binary
# that dies mid-group (sanitizer report, signal, timeout) counts every case
# of that group that did not finish OK (including those never started) as
# failed; a test that did not build counts as one failure, and one that
# exits non-zero after all its cases passed (e.g. a leak report at exit)
# counts one extra failure.
# Exit status: 0 when nothing failed, 1 otherwise.

out=$1
shift
passed=0
failed=0
skipped=0
bad=()
timeout_s=${UNIT_TIMEOUT:-300}

for t in "$@"; do
	name=$(basename "$t")
	log="$out/$name.log"
	echo "==== $name"
	if [ ! -x "$t" ]; then
		echo "run.sh: $name was not built (see the compiler errors above); counted as one failure"
		failed=$((failed + 1))
		bad+=("$name")
		continue
	fi
	timeout -k 5 "$timeout_s" "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	read -r p f k < <(awk '
		/^\[==========\] Running [0-9]+ test\(s\)\./ { open = 1; total = $3; ok = 0 }
		/^\[  SKIPPED \] [0-9]+ test\(s\), listed below:/ { k += $4 }
		/^\[       OK \]/ { ok++ }
		/^\[==========\] [0-9]+ test\(s\) run\./ { open = 0 }
		/^\[  PASSED  \] [0-9]+ test\(s\)\./ { p += $4 }
		/^\[  FAILED  \] [0-9]+ test\(s\), listed below:/ { f += $4 }
		END {
			if (open) { p += ok; f += (total > ok ? total - ok : 1) }
			printf "%d %d %d\n", p, f, k
		}' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "run.sh: $name exited with status $rc although its test cases passed" \
		     "(sanitizer or leak report at exit?); counted as one failure"
		f=1
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "run.sh: $name timed out after ${timeout_s}s"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + k))
	[ "$f" -ne 0 ] && bad+=("$name")
done

[ ${#bad[@]} -ne 0 ] && echo "failing: ${bad[*]}"
summary="unit: $passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
