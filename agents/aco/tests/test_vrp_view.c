/* test_vrp_view.c - the "vrp routes" viewer layer in a headless frame: the depot, the route and
 * the jobs by time-window state in the documented colours where the model puts them. Runs with
 * SDL_VIDEODRIVER=dummy (set by CMake). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swarmlab/lua_host.h"
#include "swarmlab/view.h"

void sl_lua_open_vrp(lua_State *L);

#define C_EARLY 0x3a7bd5u
#define C_ONTIME 0x2e9e44u
#define C_UNSERVED 0x9a9a9au
#define C_DEPOT 0xf2f2f2u
#define ROUTE0 0x1f77b4u   /* first vehicle's colour, drawn with alpha 0xc0 */

/* One vehicle at the depot (50, 50). Job 1 at (10, 50), window open from 0: served on time
 * (green). Job 2 at (90, 80), window [200, 300]: the vehicle arrives long before it opens and
 * waits (blue). Job 3 at (50, 90), optional, window [0, 5]: 40 away, cannot be served (grey).
 * The route is the triangle depot - job 1 - job 2 (either way round). */
static const char *SCENARIO =
    "swarmlab.steps(0)\n"
    "function setup(world)\n"
    "  local m = swarmlab.vrp{sites = {{50, 50}, {10, 50}, {90, 80}, {50, 90}},\n"
    "    jobs = {{site = 2, window = {0, 1000}}, {site = 3, window = {200, 300}},\n"
    "            {site = 4, window = {0, 5}, penalty = 1}},\n"
    "    vehicles = {{count = 1, capacity = 10}}}\n"
    "  local r = m:solve{iterations = 3, seed = 1}\n"
    "  assert(r.vehicles == 1 and #r.unserved == 1 and r.unserved[1] == 3)\n"
    "  assert(math.abs(r.distance - 90 - math.sqrt(7300)) < 1e-9, r.distance)\n"
    "end\n";

static uint32_t at(sl_view *v, double x, double y)
{
    double sx, sy;
    sl_view_world_to_screen(v, x, y, &sx, &sy);
    return sl_view_pixel(v, (int)floor(sx), (int)floor(sy));
}

static int channel(uint32_t c, int k) { return (int)((c >> (8 * k)) & 0xff); }

START_TEST(layer_pixels)
{
    char dir[] = "/tmp/sl_test_vrp_view_XXXXXX", path[200];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/vrp.lua", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(SCENARIO, f);
    fclose(f);
    sl_host_def cfg = {.scenario = path, .seed = 1, .threads = 1, .quiet = 1,
                       .open_modules = sl_lua_open_vrp};
    sl_error e;
    sl_error_clear(&e);
    sl_view_host_sim *hs = sl_view_host_sim_create(&cfg, -1, &e);
    ck_assert_msg(hs != NULL, "%s", e.msg);
    sl_view_sim sim;
    sl_view_host_sim_bind(hs, &sim);
    sl_world *w = sim.world(sim.user);
    sl_view_def vd = {.width = 400, .height = 300, .window = 0, .no_hud = 1};
    sl_view *v = sl_view_create(w, &vd, &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    ck_assert_msg(sl_view_render(v, &e) == SL_OK, "%s", e.msg);
    ck_assert_int_eq(sl_view_nlayers(v), 1);
    ck_assert_str_eq(sl_view_layer_name(v, 0), "vrp routes");

    /* the layer frames the sites: all four inside the canvas */
    double xs[4] = {50, 10, 90, 50}, ys[4] = {50, 50, 80, 90};
    for (int i = 0; i < 4; i++) {
        double sx, sy;
        sl_view_world_to_screen(v, xs[i], ys[i], &sx, &sy);
        ck_assert(sx >= 0 && sx < 400 && sy >= 0 && sy < 300);
    }
    ck_assert_uint_eq(at(v, 50, 50), C_DEPOT);
    ck_assert_uint_eq(at(v, 10, 50), C_ONTIME);
    ck_assert_uint_eq(at(v, 90, 80), C_EARLY);
    ck_assert_uint_eq(at(v, 50, 90), C_UNSERVED);
    /* the route: half-way along each leg the first vehicle's colour over the background; off
     * the legs (and towards the unserved job) the background */
    uint32_t bg = at(v, 30, 80);
    ck_assert_uint_eq(at(v, 75, 55), bg);
    ck_assert_uint_eq(at(v, 50, 74), bg);
    const double leg[3][2] = {{30, 50}, {50, 65}, {70, 65}};
    for (int i = 0; i < 3; i++) {
        uint32_t p = at(v, leg[i][0], leg[i][1]);
        for (int k = 0; k < 3; k++) {
            double want = channel(bg, k) + (channel(ROUTE0, k) - channel(bg, k)) * (0xc0 / 255.0);
            ck_assert_msg(fabs(channel(p, k) - want) <= 4, "route pixel %06x at (%g, %g), want ~%06x",
                          (unsigned)p, leg[i][0], leg[i][1], (unsigned)ROUTE0);
        }
    }
    /* hiding the layer leaves the background */
    sl_view_set_layer_visible(v, "vrp routes", 0);
    ck_assert_msg(sl_view_render(v, &e) == SL_OK, "%s", e.msg);
    ck_assert_uint_eq(at(v, 10, 50), bg);
    ck_assert_uint_eq(at(v, 30, 50), bg);
    sl_view_destroy(v);
    ck_assert_int_eq(sim.finish(sim.user, &e), SL_OK);
    sl_view_host_sim_destroy(hs);
    remove(path);
    rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vrp_view");
    TCase *tc = tcase_create("layer");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, layer_pixels);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
