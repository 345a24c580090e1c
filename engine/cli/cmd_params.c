/* cmd_params.c - `swarmlab params SCENARIO.lua`: the parameters a scenario declares.
 *
 * Runs the scenario's top level only (no setup, no steps, no output directory) and lists each
 * parameter with its value, doc string, default and options, so a user can see what --set and an
 * INI [params] section accept. --set and --config show the values a run would get.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_host.h"

#include "cli.h"
#include "run_ini.h"

void sl_cmd_params_usage(FILE *f)
{
    fputs("usage: swarmlab params SCENARIO.lua [--set NAME=VALUE]... [--config FILE.ini] [--unsafe]\n"
          "\n"
          "Lists the scenario's parameters (name, value, doc string, default, options) and its\n"
          "default step count. Only the scenario's top level runs.\n",
          f);
}

static void print_params(sl_host *h, const char *scenario)
{
    int n = sl_host_nparams(h);
    long long steps = sl_host_default_steps(h);
    if (steps >= 0) printf("%s: %d parameters, %lld steps\n", scenario, n, steps);
    else printf("%s: %d parameters, no default step count\n", scenario, n);
    int wn = 4, wv = 5;
    for (int i = 0; i < n; i++) {
        const char *name, *value;
        sl_host_param(h, i, &name, &value, NULL);
        if ((int)strlen(name) > wn) wn = (int)strlen(name);
        if ((int)strlen(value) > wv && strlen(value) < 24) wv = (int)strlen(value);
    }
    for (int i = 0; i < n; i++) {
        const char *name, *value, *source, *doc, *def, *opts;
        sl_host_param(h, i, &name, &value, &source);
        sl_host_param_info(h, i, &doc, &def, &opts);
        printf("  %-*s %-*s  %s", wn, name, wv, value, doc);
        int is_default = strcmp(source, "default") == 0;
        if (!is_default || *opts) {
            printf(" [");
            if (!is_default) printf("from %s, default %s%s", source, def, *opts ? "; " : "");
            printf("%s]", opts);
        }
        printf("\n");
    }
}

int sl_cmd_params(int argc, char **argv)
{
    const char *scenario = NULL, *config = NULL;
    int unsafe = 0, rc = 2;
    sl_run_args sets;
    sl_run_ini ini;
    sl_error e;
    sl_run_args_init(&sets);
    memset(&ini, 0, sizeof ini);
    sl_error_clear(&e);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            sl_cmd_params_usage(stdout);
            sl_run_args_release(&sets);
            return 0;
        } else if (strcmp(a, "--unsafe") == 0) {
            unsafe = 1;
        } else if ((strcmp(a, "--set") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc) {
            const char *v = argv[++i];
            if (a[2] == 'c') {
                config = v;
                continue;
            }
            char *name;
            const char *value;
            if (sl_run_split_set(v, &name, &value, &e) != SL_OK) {
                fprintf(stderr, "swarmlab params: %s\n", e.msg);
                goto done;
            }
            int added = sl_run_args_add_set(&sets, name, value);
            free(name);
            if (added != 0) {
                fprintf(stderr, "swarmlab params: out of memory\n");
                goto done;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "swarmlab params: unknown option '%s' (see 'swarmlab params --help')\n",
                    a);
            goto done;
        } else if (!scenario) {
            scenario = a;
        } else {
            fprintf(stderr, "swarmlab params: unexpected argument '%s'\n", a);
            goto done;
        }
    }
    if (!scenario) {
        fprintf(stderr, "swarmlab params: no scenario given (usage: swarmlab params SCENARIO.lua)\n");
        goto done;
    }
    if (config && sl_run_ini_load(&ini, config, &e) != SL_OK) {
        fprintf(stderr, "swarmlab: error: %s\n", e.msg);
        goto done;
    }
    sl_run_overrides ov;
    if (sl_run_overrides_merge(&ov, &ini, sets.nset, sets.set_names, sets.set_values, &e) == SL_OK) {
        sl_host_def cfg = {
            .scenario = scenario, .seed = 1, .threads = 1, .unsafe = unsafe, .nset = ov.n,
            .set_names = ov.names, .set_values = ov.values, .set_sources = ov.sources,
            .set_origins = ov.origins, .quiet = 1, .open_modules = sl_lua_open_modules,
        };
        sl_host *h = sl_host_create(&cfg, &e);
        if (h) {
            print_params(h, scenario);
            sl_host_destroy(h);
            rc = 0;
        } else {
            fprintf(stderr, "swarmlab: error: %s\n", e.msg);
        }
    } else {
        fprintf(stderr, "swarmlab params: %s\n", e.msg);
    }
    sl_run_overrides_release(&ov);
done:
    sl_run_ini_release(&ini);
    sl_run_args_release(&sets);
    return rc;
}
