#!/bin/sh
# scripts/bench-vrp REPORT=1: the tables of a runs file written by hand (per class and limit: runs,
# gaps, vehicles against the best known, instances at the best known fleet on every seed and on most
# seeds, unserved, invalid, CPU), the SETS and LIMITS selections, and a malformed or missing file
# refused with one line naming it.
# usage: bench_vrp_report.sh SOURCE_DIR
set -u
S=$1
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# set,class,instance,seed,limit,vehicles,BKS vehicles,value,BKS value,gap %,unserved,check,CPU s
cat > "$T/runs.csv" <<'CSV'
solomon-vehicles,R1,R101,1,60,19,19,1650.80,1650.80,0,0,0,60.000
solomon-vehicles,R1,R101,2,60,19,19,1667.308,1650.80,1,0,0,50.000
solomon-vehicles,R1,R101,3,60,20,19,1600.00,1650.80,-3,0,0,40.000
solomon-vehicles,R1,R102,1,60,18,17,1500.00,1486.12,1,0,0,60.000
solomon-vehicles,R1,R102,2,60,18,17,1500.00,1486.12,1,0,0,60.000
solomon-vehicles,R1,R102,3,60,17,17,1515.8424,1486.12,2,0,0,60.000
solomon-vehicles,R1,R101,1,2,19,19,1650.80,1650.80,0,0,0,2.000
solomon-vehicles,R1,R102,1,2,17,17,1486.12,1486.12,0,0,0,2.000
solomon-vehicles,R1,R102,2,2,18,17,1470.00,1486.12,-1.08,0,0,2.000
solomon-distance,C1,C101,1,2,10,,836.9092,828.94,0.96,1,1,2.000
solomon-distance,C1,C101,2,2,10,,828.94,828.94,0,0,0,1.000
CSV
out=$(REPORT=1 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp" 2>&1) || fail "exit $?: $out"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 60 | 6 | 0.30 | +0.50 | 3/6 | 0 / 1 of 2 | 1.00 | 0 | 0 | 55.00 |" ||
    fail "R1 at 60 s: $out"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 2 | 3 | -0.36 | +0.33 | 2/3 | 1 / 1 of 2 | 0.00 | 0 | 0 | 2.00 |" ||
    fail "R1 at 2 s: $out"
echo "$out" | grep -qF "| solomon-distance | C1 | 2 | 2 | 0.48 | - | - | - | - | 1 | 1 | 1.50 |" ||
    fail "C1 distance: $out"
[ "$(echo "$out" | grep -c '^| solomon')" -eq 3 ] || fail "not three rows: $out"
# the selections
out=$(REPORT=1 SETS=solomon-vehicles LIMITS=60 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp") || fail "selection"
[ "$(echo "$out" | grep -c '^| solomon')" -eq 1 ] || fail "SETS and LIMITS do not select: $out"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 60 | 6 |" || fail "selected row: $out"
out=$(REPORT=1 ONLY=R102 SETS=solomon-vehicles LIMITS=60 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp") || fail "ONLY"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 60 | 3 | 1.29 | +0.67 | 1/3 | 0 / 0 of 1 |" || fail "ONLY=R102: $out"
# bad input
echo "solomon-vehicles,R1,R103" >> "$T/runs.csv"
REPORT=1 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "a short line accepted"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "not one line: $(cat "$T/err")"
grep -q "runs.csv:12:" "$T/err" || fail "the line is not named: $(cat "$T/err")"
grep -q "^|" "$T/out" && fail "a table printed from a malformed file"
sed -i '$d' "$T/runs.csv"
sed -i '2s/,0,0,50.000$/,0,0,fifty/' "$T/runs.csv"
REPORT=1 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "a word for CPU s accepted"
grep -q "runs.csv:2:" "$T/err" || fail "the line is not named: $(cat "$T/err")"
REPORT=1 RUNS_CSV="$T/none.csv" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "a missing file accepted"
grep -q "none.csv" "$T/err" || fail "the missing file is not named: $(cat "$T/err")"
REPORT=1 "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "REPORT without RUNS_CSV accepted"
grep -q "RUNS_CSV" "$T/err" || fail "RUNS_CSV not named: $(cat "$T/err")"
echo "bench-vrp REPORT: ok"
