/* host.c - an outside program that runs a scenario with the installed Lua host (swarmlab::lua):
 * host.c SCENARIO.lua sets n=8, runs the scenario's steps and prints its results. */
#include <stdio.h>

#include <swarmlab/lua_host.h>

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    const char *names[] = {"n"}, *values[] = {"8"};
    sl_host_def cfg = sl_host_def_default();
    cfg.scenario = argv[1];
    cfg.seed = 3;
    cfg.nset = 1;
    cfg.set_names = names;
    cfg.set_values = values;
    cfg.quiet = 1;
    sl_error e;
    sl_host *h = sl_host_create(&cfg, &e);
    if (!h || sl_host_setup(h, &e) != SL_OK) {
        fprintf(stderr, "host: %s\n", e.msg);
        sl_host_destroy(h);
        return 1;
    }
    long long steps = sl_host_default_steps(h);
    for (long long t = 0; t < steps && !sl_host_done(h); t++)
        if (sl_host_step(h, &e) != SL_OK) {
            fprintf(stderr, "host: %s\n", e.msg);
            sl_host_destroy(h);
            return 1;
        }
    if (sl_host_finish(h, &e) != SL_OK) {
        fprintf(stderr, "host: %s\n", e.msg);
        sl_host_destroy(h);
        return 1;
    }
    for (int i = 0; i < sl_host_nresults(h); i++) {
        const char *key, *str;
        double num;
        int is_number;
        sl_host_result(h, i, &key, &num, &str, &is_number);
        if (is_number) printf("%s=%g\n", key, num);
        else printf("%s=%s\n", key, str);
    }
    sl_host_destroy(h);
    return 0;
}
