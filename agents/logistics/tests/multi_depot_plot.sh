#!/bin/sh
# multi_depot_plot.sh SWARMLAB OUTDIR - the multi-depot study's paired comparison figure: a sweep
# of 3 replicates of scenarios/multi_depot.lua (40 steps, 5 days), then scripts/plot
# --strategies cn,vrp,central --days 8 must write a PNG of the fill rates to date. Exit 77
# (skipped) without Debian's python3 and matplotlib.
set -eu
if ! [ -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
    echo "SKIP: no python3 with matplotlib"
    exit 77
fi
rm -rf "$2"
"$1" sweep scenarios/multi_depot.lua --replicates 3 --jobs 1 --steps 40 --quiet --out "$2/sweep"
[ "$(grep -c ',ok,' "$2/sweep/runs.csv")" -eq 3 ] || { echo "not 3 runs ok"; exit 1; }
/usr/bin/python3 scripts/plot "$2/sweep" --strategies cn,vrp,central --days 8 --metric fill_to_date \
    --out "$2/plots"
png="$2/plots/compare_fill_to_date.png"
[ "$(head -c 4 "$png" | tail -c 3)" = "PNG" ] || { echo "$png is not a PNG"; exit 1; }
echo "$png"
