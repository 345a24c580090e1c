#!/bin/sh
# vrp_solve and vrp_check on the shipped 12-customer instance: help, refused options with one line
# naming the option, the plan and its convergence record written and re-checked.
# usage: vrp_solve_cli.sh BUILD_DIR SOURCE_DIR
set -u
B=$1 S=$2 I=$2/assets/instances/vrptw12.txt
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$B/vrp_solve" --help > "$T/help" || fail "--help exits non-zero"
grep -q -- "--convergence FILE" "$T/help" || fail "--help does not list --convergence"
for args in "--cpuu 1" "--cpu" "--cpu abc" "--objective fast" "--chains 0"; do
    # shellcheck disable=SC2086
    "$B/vrp_solve" "$I" $args > "$T/out" 2> "$T/err"
    rc=$?
    [ $rc -eq 2 ] || fail "vrp_solve $args: exit $rc, expected 2"
    [ "$(wc -l < "$T/err")" -eq 1 ] || fail "vrp_solve $args: not one line: $(cat "$T/err")"
    [ -s "$T/out" ] && fail "vrp_solve $args: printed a result"
    word=${args%% *}
    [ "$word" = "--chains" ] && word=chains
    grep -q -- "$word" "$T/err" || fail "vrp_solve $args: message does not name $word: $(cat "$T/err")"
done
"$B/vrp_solve" "$T/missing.txt" 2> "$T/err" && fail "missing instance accepted"
grep -q "missing.txt" "$T/err" || fail "missing instance not named: $(cat "$T/err")"

"$B/vrp_solve" "$I" --iterations 5 --seed 3 --out "$T/best.sol" --convergence "$T/conv.csv" > "$T/out" \
    || fail "solve failed"
"$B/vrp_check" "$I" "$T/best.sol" > "$T/chk" || fail "vrp_check rejects the plan: $(cat "$T/chk")"
head -1 "$T/conv.csv" | grep -q "^iteration,seconds,cost,vehicles,distance,unserved" || fail "convergence header"
[ "$(wc -l < "$T/conv.csv")" -ge 2 ] || fail "convergence has no rows"
# the last record is the printed result
dist=$(awk '{print $3}' "$T/out")
last=$(tail -1 "$T/conv.csv" | awk -F, '{printf "%.4f", $5}')
[ "$dist" = "$last" ] || fail "last convergence distance $last differs from the result $dist"
echo "vrp_solve CLI: ok"
