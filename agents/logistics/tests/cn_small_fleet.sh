#!/bin/sh
# cn_small_fleet.sh SWARMLAB OUTDIR - the default supply-chain scenario with 3 vehicles: the
# contract net's fill rate must be within 0.05 of the central planner's. Prints both.
set -eu
"$1" run scenarios/supply_chain.lua --set vehicles=3 --set trace=false --threads 1 --out "$2" \
    > /dev/null
value() { sed -n "s/^ *\"$1\": \([-0-9.eE+]*\),*$/\1/p" "$2/manifest.json" | head -n 1; }
cn=$(value cn_fill_rate "$2")
central=$(value central_fill_rate "$2")
echo "vehicles=3: contract net fill rate $cn, central $central"
awk -v a="$cn" -v b="$central" 'BEGIN { d = a - b; if (d < 0) d = -d;
    if (a == "" || b == "" || d > 0.05) { print "gap " d " > 0.05"; exit 1 } }'
