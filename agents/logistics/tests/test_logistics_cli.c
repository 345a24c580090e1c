/* test_logistics_cli.c - the logistics and negotiation scenarios run through the swarmlab CLI
 * ($SWARMLAB_EXE) as a subprocess: the $204.00 beer game, thread-count determinism of the supply
 * chain scenario, and bad input (Lua callbacks that error or return NaN, negative demand or
 * capacity, an unreachable store) reported with the scenario line and exit status 2. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];
static char out_text[65536];

static const char *exe(void)
{
    const char *e = getenv("SWARMLAB_EXE");
    ck_assert_msg(e && access(e, X_OK) == 0, "SWARMLAB_EXE not set or not executable");
    return e;
}

static void make_tmpdir(void)
{
    if (tmpdir[0])
        return;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sl_logistics_cliXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Runs `swarmlab run ARGS` with stderr and stdout captured into out_text; returns the status. */
static int run(const char *args)
{
    make_tmpdir();
    char cmd[4096], log[512];
    snprintf(log, sizeof log, "%s/out.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "OMP_WAIT_POLICY=passive %s run %s --quiet > %s 2>&1", exe(), args,
             log);
    int st = system(cmd);
    FILE *f = fopen(log, "r");
    out_text[0] = 0;
    if (f) {
        size_t n = fread(out_text, 1, sizeof out_text - 1, f);
        out_text[n] = 0;
        fclose(f);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = calloc((size_t)n + 1, 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static const char *write_scenario(const char *name, const char *text)
{
    make_tmpdir();
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static double manifest_number(const char *dir, const char *key)
{
    char path[512], pat[128];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *m = slurp(path);
    ck_assert_msg(m != NULL, "no %s", path);
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    char *p = strstr(m, pat);
    ck_assert_msg(p != NULL, "%s not in %s", key, path);
    double v = strtod(p + strlen(pat), NULL);
    free(m);
    return v;
}

START_TEST(test_beer_game_204)
{
    char args[1024];
    make_tmpdir();
    snprintf(args, sizeof args, "scenarios/beer_game.lua --out %s/beer", tmpdir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/beer", tmpdir);
    ck_assert(manifest_number(dir, "total_cost") == 204.0);
    ck_assert(manifest_number(dir, "retailer_cost") == 46.0);
    char csv[1024];
    snprintf(csv, sizeof csv, "%s/beer_orders.csv", dir);
    char *c = slurp(csv);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(strstr(c, "\n5,8,12,"));  /* week 5: demand 8, retailer orders 12 */
    free(c);
    /* Anchoring and adjustment: more expensive, and the factory's orders swing the most. */
    snprintf(args, sizeof args, "scenarios/beer_game.lua --set policy=sterman --out %s/beer2",
             tmpdir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    snprintf(dir, sizeof dir, "%s/beer2", tmpdir);
    ck_assert(manifest_number(dir, "total_cost") > 204.0);
    ck_assert(manifest_number(dir, "factory_bullwhip") > manifest_number(dir, "retailer_bullwhip"));
}
END_TEST

START_TEST(test_beer_policy_errors)
{
    const char *p = write_scenario("beer_nan.lua",
        "local sl = swarmlab\n"
        "sl.steps(0)\n"
        "function setup(world)\n"
        "  sl.beer_game{policy = function(v)\n"
        "    if v.week == 9 then return 0/0 end\n"
        "    return 4\n"
        "  end}\n"
        "end\n");
    char args[1024];
    snprintf(args, sizeof args, "%s --out %s/bn", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "beer_nan.lua:4: beer game policy returned nan") != NULL,
                  "%s", out_text);
    ck_assert_ptr_nonnull(strstr(out_text, "week 9"));
    p = write_scenario("beer_err.lua",
        "local sl = swarmlab\n"
        "sl.steps(0)\n"
        "function setup(world)\n"
        "  sl.beer_game{policy = function(v)\n"
        "    return v.nothing.here\n"
        "  end}\n"
        "end\n");
    snprintf(args, sizeof args, "%s --out %s/be", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "beer_err.lua:5:") != NULL, "%s", out_text);
}
END_TEST

START_TEST(test_supply_chain_threads)
{
    char args[1024], a[512], b[512];
    make_tmpdir();
    for (int t = 1; t <= 4; t += 3) {
        snprintf(args, sizeof args,
                 "scenarios/supply_chain.lua --steps 150 --seed 9 --threads %d --set loss=0.05 "
                 "--out %s/sc%d", t, tmpdir, t);
        ck_assert_msg(run(args) == 0, "%s", out_text);
    }
    snprintf(a, sizeof a, "%s/sc1/metrics.csv", tmpdir);
    snprintf(b, sizeof b, "%s/sc4/metrics.csv", tmpdir);
    char *ma = slurp(a), *mb = slurp(b);
    ck_assert_ptr_nonnull(ma);
    ck_assert_ptr_nonnull(mb);
    ck_assert_str_eq(ma, mb);
    ck_assert_ptr_nonnull(strstr(ma, "cn_messages"));
    free(ma);
    free(mb);
    snprintf(a, sizeof a, "%s/sc1/cn_messages.csv", tmpdir);
    snprintf(b, sizeof b, "%s/sc4/cn_messages.csv", tmpdir);
    ma = slurp(a);
    mb = slurp(b);
    ck_assert_ptr_nonnull(ma);
    ck_assert_str_eq(ma, mb);
    ck_assert_ptr_nonnull(strstr(ma, ",accept-proposal,"));
    free(ma);
    free(mb);
    snprintf(a, sizeof a, "%s/sc1", tmpdir);
    double f1 = manifest_number(a, "cn_fill_rate"), f2 = manifest_number(a, "central_fill_rate");
    ck_assert(f1 > 0 && f1 <= 1 && f2 > 0 && f2 <= 1);
    ck_assert(manifest_number(a, "cn_messages") > manifest_number(a, "central_messages"));
}
END_TEST

/* The multi-depot study: runs headless, the same metrics for 1 and 2 threads, and each planner's
 * two fleets both deliver orders of their own warehouse. */
START_TEST(test_multi_depot_threads)
{
    char args[1024], a[512], b[512];
    make_tmpdir();
    for (int t = 1; t <= 2; t++) {
        snprintf(args, sizeof args, "scenarios/multi_depot.lua --steps 40 --seed 3 --threads %d "
                 "--out %s/md%d", t, tmpdir, t);
        ck_assert_msg(run(args) == 0, "%s", out_text);
    }
    snprintf(a, sizeof a, "%s/md1/metrics.csv", tmpdir);
    snprintf(b, sizeof b, "%s/md2/metrics.csv", tmpdir);
    char *ma = slurp(a), *mb = slurp(b);
    ck_assert_ptr_nonnull(ma);
    ck_assert_ptr_nonnull(mb);
    ck_assert_str_eq(ma, mb);
    ck_assert_ptr_nonnull(strstr(ma, "vrp_fill_rate"));
    free(ma);
    free(mb);
    static const char *const planners[3] = {"cn", "vrp", "central"};
    static const char *const keys[5] = {"fill_rate", "distance", "total_cost", "orders_depot2",
                                        "orders_depot3"};
    snprintf(a, sizeof a, "%s/md1", tmpdir);
    snprintf(b, sizeof b, "%s/md2", tmpdir);
    for (int p = 0; p < 3; p++)
        for (int k = 0; k < 5; k++) {
            char key[64];
            snprintf(key, sizeof key, "%s_%s", planners[p], keys[k]);
            double v1 = manifest_number(a, key), v2 = manifest_number(b, key);
            ck_assert_msg(v1 == v2, "%s: %.17g with 1 thread, %.17g with 2", key, v1, v2);
            ck_assert_msg(v1 > 0, "%s = %g", key, v1);
            if (k == 0)
                ck_assert(v1 <= 1);
        }
}
END_TEST

static const char *sc_head =
    "local sl = swarmlab\n"
    "sl.steps(40)\n";

/* A supplier and a warehouse (id 2); stores come from the `stores` option. */
#define SC_NET "sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, " \
               "{id = 2, kind = 'warehouse', x = 50, y = 50, stock = 400}},"

START_TEST(test_supply_chain_bad_bids)
{
    char text[2048], args[1024];
    snprintf(text, sizeof text, "%s"
             "function setup(world)\n"
             "  sl.supply_chain(world, {name = 'cn', %s stores = {count = 8, demand = {mean = 3}},\n"
             "    fleets = {{depot = 2, bid = function(b)\n"
             "      return b.marginal * (0/0)\n"
             "    end}}})\n"
             "end\n", sc_head, SC_NET);
    const char *p = write_scenario("sc_nan.lua", text);
    snprintf(args, sizeof args, "%s --out %s/sn", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "sc_nan.lua:5: supply chain 'cn': bid function returned nan")
                  != NULL, "%s", out_text);
    snprintf(text, sizeof text, "%s"
             "function setup(world)\n"
             "  sl.supply_chain(world, {name = 'cn', %s stores = {count = 8, demand = {mean = 3}},\n"
             "    fleets = {{depot = 2, bid = function(b)\n"
             "      error('no trucks today')\n"
             "    end}}})\n"
             "end\n", sc_head, SC_NET);
    p = write_scenario("sc_err.lua", text);
    snprintf(args, sizeof args, "%s --out %s/se", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "sc_err.lua:6: no trucks today") != NULL, "%s", out_text);
    /* The contract net binding: a bid of nan names the bid function's line. */
    snprintf(text, sizeof text, "%s"
             "local cn\n"
             "function setup(world)\n"
             "  local m = world:population{name = 'm'}\n"
             "  m:spawn(3)\n"
             "  cn = sl.contract_net{bid = function(conv, b)\n"
             "    return 0/0 end}\n"
             "  cn:announce{manager = {pop = m, slot = 1}, bidders = m}\n"
             "end\n", sc_head);
    p = write_scenario("cn_nan.lua", text);
    snprintf(args, sizeof args, "%s --out %s/cnn", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "cn_nan.lua:7: contract net bid function returned nan") != NULL,
                  "%s", out_text);
}
END_TEST

START_TEST(test_supply_chain_bad_input)
{
    char text[2048], args[1024];
    snprintf(text, sizeof text, "%s"
             "function setup(world)\n"
             "  sl.supply_chain(world, {name = 'x', %s\n"
             "    stores = {count = 8, demand = {kind = 'poisson', mean = -2}}})\n"
             "end\n", sc_head, SC_NET);
    const char *p = write_scenario("neg_demand.lua", text);
    snprintf(args, sizeof args, "%s --out %s/nd", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "neg_demand.lua:4: swarmlab.supply_chain{...}.stores.demand: "
                  "option 'mean' must be in [0, 1000000000] (got -2)") != NULL, "%s", out_text);
    snprintf(text, sizeof text, "%s"
             "function setup(world)\n"
             "  sl.supply_chain(world, {name = 'x', %s stores = {count = 8},\n"
             "    fleets = {{depot = 2, capacity = -10}}})\n"
             "end\n", sc_head, SC_NET);
    p = write_scenario("neg_cap.lua", text);
    snprintf(args, sizeof args, "%s --out %s/nc", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "neg_cap.lua:4: swarmlab.supply_chain{...}.fleets[1]: option "
                  "'capacity' must be in [") && strstr(out_text, "(got -10)"), "%s", out_text);
    /* Road graph 1-2-3 and an isolated node 4 holding store 2. */
    snprintf(text, sizeof text, "%s"
             "function setup(world)\n"
             "  local g = world:graph{name = 'roads', nodes = 4}\n"
             "  g:add_edge(1, 2, 5)\n"
             "  g:add_edge(2, 3, 5)\n"
             "  sl.supply_chain(world, {name = 'r', roads = g, stores = {count = 3, nodes = {2, 4, 3}},\n"
             "    sites = {{id = 1, kind = 'supplier', node = 1}, {id = 2, kind = 'warehouse', node = 1}}})\n"
             "end\n", sc_head);
    p = write_scenario("unreachable.lua", text);
    snprintf(args, sizeof args, "%s --out %s/ur", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "unreachable.lua:7: r: site 1001 (road node 4) cannot be "
                  "reached") != NULL, "%s", out_text);
    /* A CSV demand file with a negative value: named with its line. */
    char csv[512];
    snprintf(csv, sizeof csv, "%s/demand.csv", tmpdir);
    FILE *f = fopen(csv, "w");
    fputs("d\n2\n1\n-1\n", f);
    fclose(f);
    snprintf(text, sizeof text, "%s"
             "function setup(world)\n"
             "  sl.supply_chain(world, {name = 'x', %s\n"
             "    stores = {count = 8, demand = {kind = 'csv', file = '%s'}}})\n"
             "end\n", sc_head, SC_NET, csv);
    p = write_scenario("csv_demand.lua", text);
    snprintf(args, sizeof args, "%s --out %s/cd", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "demand.csv:4: negative or invalid demand -1") != NULL, "%s",
                  out_text);
}
END_TEST

/* Lua functions drive a run end to end: every store's demand (a function of the step), its
 * policy (order 12 when the position falls below 8) and its source rule (always warehouse 2,
 * although warehouse 3 is nearer to some stores). The scenario checks the ledger against what
 * the functions asked for and reports mismatches. */
START_TEST(test_supply_chain_lua_functions)
{
    static const char *text =
        "local sl = swarmlab\n"
        "sl.steps(60)\n"
        "local sc, calls = nil, {policy = 0, demand = 0, source = 0}\n"
        "function setup(world)\n"
        "  sc = sl.supply_chain(world, {name = 'lua', common_random_numbers = true,\n"
        "    sites = {{id = 1, kind = 'supplier', x = 0, y = 0},\n"
        "             {id = 2, kind = 'warehouse', x = 10, y = 10, stock = 300, source = 1},\n"
        "             {id = 3, kind = 'warehouse', x = 90, y = 90, stock = 300, source = 1}},\n"
        "    stores = {count = 6, first_id = 10, stock = 9,\n"
        "      demand = function(s) calls.demand = calls.demand + 1; return s.step % 3 end,\n"
        "      policy = function(s)\n"
        "        calls.policy = calls.policy + 1\n"
        "        if s.position < 8 then return 12 end\n"
        "        return 0\n"
        "      end,\n"
        "      source = function(s) calls.source = calls.source + 1; return 2 end},\n"
        "    fleets = {{depot = 2, planner = 'central', vehicles = 2}}})\n"
        "end\n"
        "function finish(world)\n"
        "  sc:finish()\n"
        "  local bad, n, delivered = 0, 0, 0\n"
        "  for _, o in ipairs(sc:orders()) do\n"
        "    if o.site >= 10 then\n"
        "      n = n + 1\n"
        "      if o.quantity ~= 12 or o.depot ~= 2 then bad = bad + 1 end\n"
        "      if o.status == 'delivered' then delivered = delivered + 1 end\n"
        "    end\n"
        "  end\n"
        "  local k = sc:kpis()\n"
        "  local want = 0\n"
        "  for t = 1, 60 do want = want + 6 * (t % 3) end\n"
        "  sl.result('store_orders', n)\n"
        "  sl.result('store_delivered', delivered)\n"
        "  sl.result('bad_orders', bad)\n"
        "  sl.result('demand_diff', k.demand - want)\n"
        "  sl.result('policy_calls', calls.policy)\n"
        "  sl.result('demand_calls', calls.demand)\n"
        "  sl.result('source_calls', calls.source)\n"
        "  sl.result('open_left', #sc:orders{open = true})\n"
        "  sl.result('store10_inventory', sc:site(10).inventory)\n"
        "end\n";
    char args[1024], dir[512];
    const char *p = write_scenario("lua_functions.lua", text);
    snprintf(dir, sizeof dir, "%s/lf", tmpdir);
    snprintf(args, sizeof args, "%s --out %s", p, dir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    ck_assert(manifest_number(dir, "store_orders") > 6);
    ck_assert(manifest_number(dir, "store_delivered") > 0);
    ck_assert(manifest_number(dir, "bad_orders") == 0);
    ck_assert(manifest_number(dir, "demand_diff") == 0);
    ck_assert(manifest_number(dir, "demand_calls") == 6 * 60);
    ck_assert(manifest_number(dir, "policy_calls") == 6 * 60);
    ck_assert(manifest_number(dir, "source_calls") == manifest_number(dir, "store_orders"));
    ck_assert(manifest_number(dir, "store10_inventory") >= 0);
    /* a policy that returns a negative order stops the run with its scenario and site */
    static const char *neg =
        "local sl = swarmlab\n"
        "sl.steps(5)\n"
        "function setup(world)\n"
        "  sl.supply_chain(world, {name = 'neg',\n"
        "    sites = {{id = 1, kind = 'supplier', x = 0, y = 0},\n"
        "             {id = 2, kind = 'warehouse', x = 1, y = 1, policy = function() return -4 end}},\n"
        "    stores = {count = 2}})\n"
        "end\n";
    p = write_scenario("neg_policy.lua", neg);
    snprintf(args, sizeof args, "%s --out %s/np", p, tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "neg_policy.lua:6: supply chain 'neg': the policy function of "
                  "site 2 returned a negative number at step 0") != NULL, "%s", out_text);
}
END_TEST

/* Splits a CSV line in place into at most max fields (empty fields are ""). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *c = line; *c && n < max; c++)
        if (*c == ',') {
            *c = 0;
            f[n++] = c + 1;
        }
    return n;
}

/* orders.csv agrees with the KPIs of the same run: units and count of delivered orders, mean
 * steps late, late orders; every delivered row has all its times in order. */
START_TEST(test_supply_chain_orders_csv)
{
    char args[1024], dir[512], path[600];
    make_tmpdir();
    snprintf(dir, sizeof dir, "%s/oc", tmpdir);
    snprintf(args, sizeof args, "scenarios/supply_chain.lua --steps 150 --seed 3 --set trace=false "
             "--set vehicles=3 --out %s", dir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    const char *chains[2] = {"cn", "central"};
    for (int c = 0; c < 2; c++) {
        snprintf(path, sizeof path, "%s/%s_orders.csv", dir, chains[c]);
        char *text = slurp(path);
        ck_assert_msg(text != NULL, "no %s", path);
        ck_assert(strncmp(text, "order,site,depot,product,quantity,created,promised,ready,"
                          "dispatched,delivered,lateness,vehicle,route,status,arrival,wait,"
                          "window_late\n", 117) == 0);
        double units = 0, late_sum = 0, late = 0, n = 0, rows = 0, by_vehicle = 0;
        char *save = NULL;
        strtok_r(text, "\n", &save); /* header */
        for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *f[20];
            ck_assert_int_eq(split(line, f, 20), 17);
            rows++;
            ck_assert_int_eq(atof(f[0]), rows); /* ids 1, 2, ... */
            if (strcmp(f[13], "delivered") != 0) {
                ck_assert(f[9][0] == 0 && f[10][0] == 0);
                continue;
            }
            double q = atof(f[4]), created = atof(f[5]), ready = atof(f[7]);
            double dispatched = atof(f[8]), delivered = atof(f[9]), lateness = atof(f[10]);
            ck_assert(created <= ready && ready <= dispatched && dispatched <= delivered);
            ck_assert(lateness == delivered - atof(f[6]));
            units += q;
            n++;
            if (lateness > 0) {
                late_sum += lateness;
                late++;
            }
            if (f[11][0]) {
                by_vehicle++;
                ck_assert(atof(f[11]) >= 1 && atof(f[11]) <= 3 && atof(f[12]) >= 1);
            }
        }
        free(text);
        char key[64];
        snprintf(key, sizeof key, "%s_delivered", chains[c]);
        ck_assert_msg(fabs(units - manifest_number(dir, key)) < 1e-6, "%s: csv %g, KPI %g",
                      chains[c], units, manifest_number(dir, key));
        snprintf(key, sizeof key, "%s_orders", chains[c]);
        ck_assert(n == manifest_number(dir, key));
        snprintf(key, sizeof key, "%s_late_orders", chains[c]);
        ck_assert(late == manifest_number(dir, key));
        snprintf(key, sizeof key, "%s_lateness", chains[c]);
        ck_assert(fabs(late_sum / n - manifest_number(dir, key)) < 1e-9);
        ck_assert(by_vehicle > 0 && rows > n);
    }
}
END_TEST

/* Bad networks and demand files from Lua: one line naming the site, file and line, exit 2. */
START_TEST(test_supply_chain_bad_network)
{
    static const struct {
        const char *opts, *want;
    } cases[] = {
        {"sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, "
         "{id = 2, kind = 'warehouse', x = 1, y = 1, source = 9}}",
         "bn.lua:4: bn: site 2: unknown source id 9"},
        {"sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, "
         "{id = 2, kind = 'warehouse', x = 1, y = 1, source = 3}, "
         "{id = 3, kind = 'warehouse', x = 2, y = 2, source = 2}}",
         "bn.lua:4: bn: cycle in sources: 2 -> 3 -> 2"},
        {"sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, "
         "{id = 2, kind = 'warehouse', x = 1, y = 1, stock = -5}}",
         "bn.lua:4: swarmlab.supply_chain{...}.sites[2]: option 'stock' must be in [0, "},
        {"sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, "
         "{id = 2, kind = 'warehouse', x = 1, y = 1}}, stores = {count = 2, demand = {kind = "
         "'csv', file = 'no_such_demand.csv'}}",
         "bn.lua:4: swarmlab.supply_chain{...}.stores.demand: option 'file' names a demand file "
         "that does not exist ('no_such_demand.csv')"},
        {"sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, "
         "{id = 2, kind = 'warehouse', x = 1, y = 1}}, stores = {count = 2, demand = {kind = "
         "'csv', file = '%s'}}",
         "bad_demand.csv:3: "},
        {"sites = {{id = 1, kind = 'suplier', x = 0, y = 0}}",
         "bn.lua:4: swarmlab.supply_chain{...}.sites[1]: option 'kind' must be one of"},
        {"sites = {{id = 1, kind = 'supplier', x = 0, y = 0}}, stores = {count = 2}",
         "bn.lua:4: bn: site 1000 (store): no site it could order from"},
    };
    char csv[512];
    make_tmpdir();
    snprintf(csv, sizeof csv, "%s/bad_demand.csv", tmpdir);
    FILE *f = fopen(csv, "w");
    fputs("a,b\n1,2\n3,x\n", f);
    fclose(f);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char opts[1024], text[2048], args[1024];
        snprintf(opts, sizeof opts, cases[i].opts, csv);
        snprintf(text, sizeof text, "local sl = swarmlab\nsl.steps(3)\nfunction setup(world)\n"
                 "  sl.supply_chain(world, {name = 'bn', %s})\nend\n", opts);
        const char *p = write_scenario("bn.lua", text);
        snprintf(args, sizeof args, "%s --out %s/bn%zu", p, tmpdir, i);
        ck_assert_int_eq(run(args), 2);
        ck_assert_msg(strstr(out_text, cases[i].want) != NULL, "case %zu: %s", i, out_text);
        /* one line: the error, then only the traceback */
        char *nl = strstr(out_text, cases[i].want);
        char *eol = strchr(nl, '\n');
        ck_assert(eol == NULL || strncmp(eol + 1, "stack traceback", 15) == 0);
    }
}
END_TEST

/* A checkpoint in the middle of the run and a resume give the same files as one run. */
START_TEST(test_supply_chain_checkpoint)
{
    char args[1024], a[512], b[512];
    make_tmpdir();
    snprintf(args, sizeof args, "scenarios/supply_chain.lua --steps 150 --seed 4 --out %s/ckf",
             tmpdir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    snprintf(args, sizeof args, "scenarios/supply_chain.lua --steps 90 --seed 4 "
             "--checkpoint-every 90 --out %s/cka", tmpdir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    snprintf(args, sizeof args, "scenarios/supply_chain.lua --steps 150 --resume %s/cka/"
             "checkpoint.bin --out %s/ckb", tmpdir, tmpdir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    snprintf(a, sizeof a, "%s/ckf/metrics.csv", tmpdir);
    snprintf(b, sizeof b, "%s/ckb/metrics.csv", tmpdir);
    char *ma = slurp(a), *mb = slurp(b);
    ck_assert_ptr_nonnull(ma);
    ck_assert_ptr_nonnull(mb);
    ck_assert_str_eq(ma, mb);
    free(ma);
    free(mb);
    snprintf(a, sizeof a, "%s/ckf", tmpdir);
    snprintf(b, sizeof b, "%s/ckb", tmpdir);
    ck_assert(manifest_number(a, "cn_total_cost") == manifest_number(b, "cn_total_cost"));
    ck_assert(manifest_number(a, "central_order_lead") == manifest_number(b, "central_order_lead"));
    /* A Lua contract net keeps state in scenario variables: refused with a clear error. */
    snprintf(args, sizeof args, "scenarios/maintenance.lua --steps 20 --checkpoint-every 10 "
             "--out %s/mck", tmpdir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_msg(strstr(out_text, "'contract_net'") != NULL, "%s", out_text);
}
END_TEST

START_TEST(test_maintenance_runs)
{
    char args[1024], dir[512];
    make_tmpdir();
    snprintf(dir, sizeof dir, "%s/mt", tmpdir);
    snprintf(args, sizeof args, "scenarios/maintenance.lua --out %s", dir);
    ck_assert_msg(run(args) == 0, "%s", out_text);
    ck_assert(manifest_number(dir, "alerts") > 0);
    ck_assert(manifest_number(dir, "jobs_renegotiated") > 0);
    ck_assert(manifest_number(dir, "cn_anomalies") == 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("logistics_cli");
    TCase *tc = tcase_create("scenarios");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_beer_game_204);
    tcase_add_test(tc, test_beer_policy_errors);
    tcase_add_test(tc, test_supply_chain_threads);
    tcase_add_test(tc, test_multi_depot_threads);
    tcase_add_test(tc, test_supply_chain_bad_bids);
    tcase_add_test(tc, test_supply_chain_bad_input);
    tcase_add_test(tc, test_supply_chain_lua_functions);
    tcase_add_test(tc, test_supply_chain_orders_csv);
    tcase_add_test(tc, test_supply_chain_bad_network);
    tcase_add_test(tc, test_maintenance_runs);
    tcase_add_test(tc, test_supply_chain_checkpoint);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (tmpdir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
