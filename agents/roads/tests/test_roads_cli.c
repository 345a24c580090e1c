/* test_roads_cli.c - swarmlab.roads from scenarios run by the swarmlab CLI ($SWARMLAB_EXE) on the
 * hand-made town: the binding's methods and values, its one-line errors (file:line, exit 2), and
 * scenarios/city_delivery.lua end to end, identical on 1 and 2 threads. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../tests/run_util.h"

#define TOWN "agents/roads/tests/data/town.osm"

static char *dir;

/* Writes the script and runs it; returns the exit status. */
static int run_script(const char *name, const char *text, const char *extra)
{
    const char *path = write_text(dir, name, text);
    return run_swarmlab(dir, "run '%s' --out '%s/out_%s' %s", path, dir, name,
                        extra ? extra : "--steps 1");
}

START_TEST(test_binding)
{
    const char *lua =
        "local sl = swarmlab\n"
        "local net = sl.roads{file = '" TOWN "'}\n"
        "local i = net:info()\n"
        "assert(i.nodes == 7 and i.edges == 16 and i.nodes_dropped == 2, 'info')\n"
        "assert(i.attribution == '\\u{a9} OpenStreetMap contributors', i.attribution)\n"
        "local s = net:snap(0.0015, 0.0001)\n"
        "assert(math.abs(s.lon - 0.0015) < 1e-9 and math.abs(s.lat) < 1e-9, 'snap')\n"
        "assert(math.abs(s.distance - 11.1195) < 1e-3, s.distance)\n"
        /* A -> F along Main Street and the one-way C->F; back round by E, D and the bend */
        "local m = net:matrix({{0, 0}, {lon = 0.002, lat = 0.001}}, {metric = 'time', csv = 't.csv'})\n"
        "assert(math.abs(m[1][2] - 26.0196488) < 1e-6, m[1][2])\n"
        "assert(math.abs(m[2][1] - 49.2697335) < 1e-6, m[2][1])\n"
        "assert(m[1][1] == 0 and #m == 2 and #m[2] == 2)\n"
        "local d = net:matrix({{0, 0}, {0.002, 0.001}}, {metric = 'distance', threads = 2})\n"
        "assert(math.abs(d[1][2] - 333.585) < 1e-2, d[1][2])\n"
        "local r = net:route({0, 0}, {0.002, 0.001})\n"
        "assert(#r.lon == 4 and #r.x == 4 and math.abs(r.time - m[1][2]) < 1e-9, 'route')\n"
        "local c = net:project(0.0009, 0.001)\n"
        "assert(math.abs(c.x) < 1e-9 and math.abs(c.y) < 1e-9, 'centre')\n"
        "local p = net:project(0.0012, 0.0003)\n"
        "local q = net:unproject(p.x, p.y)\n"
        "assert(math.abs(q.lon - 0.0012) < 1e-12 and math.abs(q.lat - 0.0003) < 1e-12)\n"
        "local a, b = net:sample(5, {seed = 3}), net:sample(5, {seed = 3})\n"
        "for k = 1, 5 do\n"
        "  assert(a[k].lon == b[k].lon and a[k].lat == b[k].lat, 'sample repeats')\n"
        "  assert(net:snap(a[k].lon, a[k].lat).distance < 1e-3, 'sample on a road')\n"
        "end\n"
        "net:show{sites = a, depots = {1}, routes = {{1, 2, 3, 1}, {1, 4, 5, 1}}}\n"
        "assert(tostring(net):find('7 nodes'))\n";
    ck_assert_int_eq(run_script("binding.lua", lua, NULL), 0);
    char *csv = read_text(path_in(dir, "out_binding.lua/t.csv"));
    ck_assert_ptr_nonnull(csv);
    ck_assert_ptr_nonnull(strstr(csv, "from,1,2\n1,0,26.0196"));
    free(csv);
}
END_TEST

START_TEST(test_world_graph_and_fleet)
{
    /* the network as a world graph (the supply chain's roads): same shortest paths as the matrix */
    const char *lua =
        "local sl = swarmlab\n"
        "local net = sl.roads{file = '" TOWN "'}\n"
        "function setup(world)\n"
        "  local g = net:graph(world, {name = 'streets', metric = 'distance'})\n"
        "  local a, f = net:node(0, 0), net:node(0.002, 0.001)\n"
        "  assert(a ~= f, 'two nodes')\n"
        "  local m = net:matrix({{0, 0}, {0.002, 0.001}}, {metric = 'distance'})\n"
        "  assert(math.abs(g:shortest_paths(a)[f] - m[1][2]) < 1e-6, 'A to F')\n"
        "  assert(math.abs(g:shortest_paths(f)[a] - m[2][1]) < 1e-6, 'F to A')\n"
        "  local nodes = {}\n"
        "  for i, p in ipairs(net:sample(4, {seed = 2})) do nodes[i] = net:node(p.lon, p.lat) end\n"
        "  sc = sl.supply_chain(world, {name = 'town', roads = g, stores = {count = 4, nodes = nodes},\n"
        "    sites = {{id = 1, kind = 'supplier', node = a}, {id = 2, kind = 'warehouse', node = a,\n"
        "             stock = 400}},\n"
        "    fleets = {{depot = 2, planner = 'central', vehicles = 2, capacity = 50, speed = 100}}})\n"
        "end\n"
        "function finish(world)\n"
        "  sc:finish()\n"
        "  local k = sc:kpis()\n"
        "  assert(k.fill_rate > 0.5 and k.distance > 0, 'the fleet drives on the streets')\n"
        "end\n";
    ck_assert_int_eq(run_script("fleet.lua", lua, "--steps 60"), 0);
}
END_TEST

START_TEST(test_city_delivery_vrp)
{
    /* planner=vrp: the rich VRP solver on the road matrices where the build has it, else a
     * one-line error that says so */
    int rc = run_swarmlab(dir, "run scenarios/city_delivery.lua --set map=" TOWN " --set stores=8"
                          " --set vans=3 --set capacity=12 --set planner=vrp --steps 3 --out '%s/cvrp'",
                          dir);
    char line[1024];
    if (rc != 0) {
        error_line(dir, line, sizeof line);
        ck_assert_msg(rc == 2 && strstr(line, "swarmlab.vrp is not part of this build"), "%s", line);
        return;
    }
    char *man = read_text(path_in(dir, "cvrp/manifest.json"));
    ck_assert_ptr_nonnull(man);
    ck_assert_ptr_nonnull(strstr(man, "\"served\": 8"));
    ck_assert_ptr_nonnull(strstr(man, "swarmlab.vrp on the road matrices"));
    free(man);
}
END_TEST

static void expect_error(const char *name, const char *body, const char *needle)
{
    char text[2048], line[1024];
    snprintf(text, sizeof text, "local net = swarmlab.roads{file = '" TOWN "'}\n%s\n", body);
    ck_assert_int_eq(run_script(name, text, NULL), 2);
    error_line(dir, line, sizeof line);
    char where[300];
    snprintf(where, sizeof where, "%s:", name);
    ck_assert_msg(strstr(line, where) && strstr(line, needle), "%s: got '%s'", name, line);
}

START_TEST(test_errors)
{
    expect_error("e1.lua", "swarmlab.roads{file = '" TOWN "', max_snapp = 10}", "did you mean 'max_snap'");
    expect_error("e2.lua", "swarmlab.roads{file = 'no/such/map.osm.pbf'}", "option 'file' names a file that does not exist ('no/such/map.osm.pbf')");
    expect_error("e3.lua", "swarmlab.roads{file = 'README.md'}", "must end in .osm or .pbf");
    expect_error("e4.lua", "net:matrix({{0, 0}, {0/0, 0}})", "point 2: the longitude is not a number");
    expect_error("e5.lua", "net:matrix({{0, 0}, {name = 'harbour', lon = 3, lat = 3}})",
                 "point 2 (harbour): (3.000000, 3.000000) is");
    expect_error("e6.lua", "net:matrix({{0, 0}}, {metric = 'fuel'})", "option 'metric' must be one of");
    expect_error("e7.lua", "net:show{sites = {{0, 0}}, routes = {{1, 2}}}", "routes[1][2] must be a site number in 1..1");
    expect_error("e8.lua", "swarmlab.roads{file = '" TOWN "', speeds = {residental = 20}}", "did you mean 'residential'");
    expect_error("e9.lua", "net:snap(0, 95)", "latitude in [-90, 90]");
    expect_error("e10.lua", "net:matrix({{0, 0}}, {csv = '../escape.csv'})", "escape.csv");
}
END_TEST

START_TEST(test_city_delivery)
{
    char *files[2][2];
    for (int t = 1; t <= 2; t++) {
        ck_assert_int_eq(run_swarmlab(dir, "run scenarios/city_delivery.lua --set map=" TOWN
                                      " --set stores=8 --set vans=3 --set capacity=12 --steps 30"
                                      " --threads %d --out '%s/city%d'", t, dir, t), 0);
        char p[600];
        snprintf(p, sizeof p, "city%d/time_matrix.csv", t);
        files[t - 1][0] = read_text(path_in(dir, p));
        snprintf(p, sizeof p, "city%d/routes.csv", t);
        files[t - 1][1] = read_text(path_in(dir, p));
        ck_assert_ptr_nonnull(files[t - 1][0]);
        ck_assert_ptr_nonnull(files[t - 1][1]);
    }
    ck_assert_str_eq(files[0][0], files[1][0]);
    ck_assert_str_eq(files[0][1], files[1][1]);
    /* every store appears once in the routes */
    int seen[16] = {0}, rows = 0;
    for (char *l = strtok(files[0][1], "\n"); l; l = strtok(NULL, "\n")) {
        int van, stop, site;
        if (sscanf(l, "%d,%d,%d", &van, &stop, &site) == 3) {
            ck_assert(site >= 2 && site <= 9);
            seen[site]++;
            rows++;
        }
    }
    ck_assert_int_eq(rows, 8);
    for (int s = 2; s <= 9; s++) ck_assert_int_eq(seen[s], 1);
    char *man = read_text(path_in(dir, "city1/manifest.json"));
    ck_assert_ptr_nonnull(man);
    ck_assert_ptr_nonnull(strstr(man, "\"served\": 8"));
    ck_assert_ptr_nonnull(strstr(man, "OpenStreetMap contributors"));
    free(man);
    for (int t = 0; t < 2; t++) {
        free(files[t][0]);
        free(files[t][1]);
    }
}
END_TEST

int main(void)
{
    if (getenv("SWARMLAB_SOURCE_DIR") && chdir(getenv("SWARMLAB_SOURCE_DIR")) != 0) return 1;
    /* the binding exists in every build; without OpenStreetMap support it says so */
    dir = tmp_dir();
    const char *probe = "swarmlab.roads{file = '" TOWN "'}\n";
    int rc = run_script("probe.lua", probe, NULL);
    char line[1024];
    error_line(dir, line, sizeof line);
    if (rc != 0 && strstr(line, "without OpenStreetMap support")) {
        printf("built without OpenStreetMap support (%s): skipped\n", line);
        rm_tree(dir);
        return 77;
    }
    Suite *s = suite_create("roads_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_binding);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_world_graph_and_fleet);
    tcase_add_test(tc, test_city_delivery);
    tcase_add_test(tc, test_city_delivery_vrp);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rm_tree(dir);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
