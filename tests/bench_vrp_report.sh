#!/bin/sh
# scripts/bench-vrp REPORT=1: the tables of a runs file written by hand (per class and limit: runs,
# gaps, vehicles against the best known, instances at the best known fleet on every seed and on most
# seeds, unserved, invalid, CPU), the SETS and LIMITS selections, and a malformed or missing file
# refused with one line naming it; with stand-in solvers, a failed run and the small30 rows (mean and
# largest gap, runs above 0.5 %), and a failing solver named in one line.
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
solomon-vehicles,R2,R201,1,60,4,4,1252.37,1252.37,0,0,0,60.000
solomon-vehicles,R2,R201,2,60,4,4,1252.37,1252.37,0,0,1,60.000
solomon-distance,C1,C101,2,2,10,,828.94,828.94,0,0,0,1.000
CSV
out=$(REPORT=1 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp" 2>&1) || fail "exit $?: $out"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 60 | 6 | 0.30 | +0.50 | 3/6 | 0 / 1 of 2 | 1.00 | 0 | 0 | 55.00 |" ||
    fail "R1 at 60 s: $out"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 2 | 3 | -0.36 | +0.33 | 2/3 | 1 / 1 of 2 | 0.00 | 0 | 0 | 2.00 |" ||
    fail "R1 at 2 s: $out"
echo "$out" | grep -qF "| solomon-distance | C1 | 2 | 2 | 0.48 | - | - | - | - | 1 | 1 | 1.50 |" ||
    fail "C1 distance: $out"
# a plan the checker refused is invalid and not at the fleet
echo "$out" | grep -qF "| solomon-vehicles | R2 | 60 | 2 | 0.00 | +0.00 | 1/2 | 0 / 0 of 1 | 0.00 | 0 | 1 | 60.00 |" ||
    fail "R2 with a refused plan: $out"
[ "$(echo "$out" | grep -c '^| solomon')" -eq 4 ] || fail "not four rows: $out"
# the selections
out=$(REPORT=1 SETS=solomon-vehicles LIMITS=60 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp") || fail "selection"
[ "$(echo "$out" | grep -c '^| solomon')" -eq 2 ] || fail "SETS and LIMITS do not select: $out"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 60 | 6 |" || fail "selected row: $out"
out=$(REPORT=1 ONLY=R102 SETS=solomon-vehicles LIMITS=60 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp") || fail "ONLY"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 60 | 3 | 1.29 | +0.67 | 1/3 | 0 / 0 of 1 |" || fail "ONLY=R102: $out"
# bad input
echo "solomon-vehicles,R1,R103" >> "$T/runs.csv"
REPORT=1 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "a short line accepted"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "not one line: $(cat "$T/err")"
grep -q "runs.csv:14:" "$T/err" || fail "the line is not named: $(cat "$T/err")"
grep -q "^|" "$T/out" && fail "a table printed from a malformed file"
sed -i '$d' "$T/runs.csv"
sed -i '1s/,19,19,1650.80,/,19,nineteen,1650.80,/' "$T/runs.csv"
REPORT=1 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "a word for best known vehicles accepted"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "not one line: $(cat "$T/err")"
grep -q "runs.csv:1:" "$T/err" || fail "the line is not named: $(cat "$T/err")"
sed -i '1s/,nineteen,/,19,/' "$T/runs.csv"
sed -i '2s/,0,0,50.000$/,0,0,fifty/' "$T/runs.csv"
REPORT=1 RUNS_CSV="$T/runs.csv" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "a word for CPU s accepted"
grep -q "runs.csv:2:" "$T/err" || fail "the line is not named: $(cat "$T/err")"
REPORT=1 RUNS_CSV="$T/none.csv" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "a missing file accepted"
grep -q "none.csv" "$T/err" || fail "the missing file is not named: $(cat "$T/err")"
REPORT=1 "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" && fail "REPORT without RUNS_CSV accepted"
grep -q "RUNS_CSV" "$T/err" || fail "RUNS_CSV not named: $(cat "$T/err")"
# a run whose solver fails is invalid, and its instance is not at the fleet on every seed: a stand-in
# solver that fails on seed 2
mkdir -p "$T/bin" "$T/data/solomon"
printf '# instance vehicles distance vehicles distance\nR101 19 1650.80 19 1650.80\n' > "$T/data/solomon/BKS.txt"
: > "$T/data/solomon/R101.txt"
cat > "$T/bin/vrp_solve" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --seed ] && seed=$2; shift; done
[ "$seed" = 2 ] && exit 1
echo "R101 19 1650.80 1650.80 0 2.000"
SH
printf '#!/bin/sh\nexit 0\n' > "$T/bin/vrp_check"
chmod +x "$T/bin/vrp_solve" "$T/bin/vrp_check"
out=$(SETS=solomon-vehicles SEEDS=3 LIMITS=2 BUILD="$T/bin" DATA="$T/data" "$S/scripts/bench-vrp" 2>&1) ||
    fail "run with a failing solver: $out"
echo "$out" | grep -qF "| solomon-vehicles | R1 | 2 | 3 | 0.00 | +0.00 | 2/3 | 0 / 1 of 1 | 0.00 | 0 | 1 | 2.00 |" ||
    fail "R1 with a failed run: $out"
# small30: mean and largest gap to the best of the ten long runs, and the runs above 0.5 %, from a
# stand-in solver whose seed 2 ends 1 % above the others
for b in C201 R201 RC201; do printf 'VEHICLE\nNUMBER     CAPACITY\n  25   1000\n' > "$T/data/solomon/$b.txt"; done
cat > "$T/bin/vrp_solve" <<'SH'
#!/bin/sh
case "$1" in *201_30.txt) ;; *) echo "vrp_solve: $1: not a cut instance" >&2; exit 2 ;; esac
grep -q '^  3 1000' "$1" || { echo "vrp_solve: $1: the fleet is not cut to 3" >&2; exit 2; }
while [ $# -gt 0 ]; do [ "$1" = --seed ] && seed=$2; shift; done
[ "$seed" = 2 ] && echo "X 3 101.0 101.0 0 0.050" || echo "X 3 100.0 100.0 0 0.050"
SH
out=$(SETS=small30 SEEDS=2 LONG=0.1 BUILD="$T/bin" DATA="$T/data" "$S/scripts/bench-vrp" 2>&1) || fail "small30: $out"
echo "$out" | grep -qF "| small30 | RC201 first 30, 3 vehicles | 0.05 | 2 | 0.50 (max 1.00; 1 of 2 runs above 0.5) vs best of 10 x 0.1 s |" ||
    fail "small30 row: $out"
[ "$(echo "$out" | grep -c '^| small30')" -eq 3 ] || fail "not three small30 rows: $out"
# a solver that fails is named in one line, and no row is printed for it
printf '#!/bin/sh\necho "vrp_solve: broken" >&2\nexit 3\n' > "$T/bin/vrp_solve"
SETS=small30 SEEDS=2 LONG=0.1 BUILD="$T/bin" DATA="$T/data" "$S/scripts/bench-vrp" > "$T/out" 2> "$T/err" &&
    fail "a failing solver accepted"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "not one line: $(cat "$T/err")"
grep -q "C201_30.txt.*exit 3.*broken" "$T/err" || fail "the failure is not named: $(cat "$T/err")"
grep -q "^| small30" "$T/out" && fail "a small30 row printed from a failing solver"
echo "bench-vrp REPORT: ok"
