/* main.c - the `swarmlab` program: dispatches to a subcommand from the table below.
 *
 * To add a subcommand: write cmd_<name>.c with `int sl_cmd_<name>(int argc, char **argv)` and
 * a usage function (declare both in cli.h), and add one line to `commands`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>

#include "cli.h"
#include "cmd_view.h"

#ifndef SWARMLAB_VERSION
#define SWARMLAB_VERSION "0"
#endif

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *f);
    const char *summary;
} command;

static const command commands[] = {
    {"run", sl_cmd_run, sl_cmd_run_usage, "run a scenario headless, results in DIR"},
    {"params", sl_cmd_params, sl_cmd_params_usage, "list the parameters a scenario declares"},
    {"sweep", sl_cmd_sweep, sl_cmd_sweep_usage, "parameter grid x replicates, resumable (runs.csv)"},
    {"view", sl_cmd_view, sl_cmd_view_usage, "watch a scenario in a window (SDL2 viewer)"},
    /* more subcommands here */
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fputs("usage: swarmlab COMMAND [options]\n\ncommands:\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("  help     help on a command: swarmlab help COMMAND\n"
          "\noptions:\n  --version  print the version\n  --help     this text\n"
          "\nEvery command takes --help.\n",
          f);
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static int help(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "help") == 0) {
        usage(stdout);
        return 0;
    }
    const command *c = find(argv[2]);
    if (!c) {
        fprintf(stderr, "swarmlab: unknown command '%s' (see 'swarmlab help')\n", argv[2]);
        return 2;
    }
    c->usage(stdout);
    return 0;
}

/* How long a libgomp thread spins at a barrier before it sleeps: about ten microseconds by
 * libgomp's own estimate of 100 000 spins per millisecond. Long enough to bridge the barriers
 * between the passes of one step when both threads are running, short enough that a thread
 * whose partner was descheduled by a busy neighbour process soon gets out of the way.
 * scripts/bench-spin measures the trade-off; docs/engine.md has the figures. */
#define SL_DEFAULT_SPINCOUNT "1000"

/* libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT when it is loaded, before main(): to default
 * to (almost) passive waiting (spinning threads are very slow on a shared machine), set them and
 * re-execute. A policy chosen by the user is left alone. */
static void default_passive_wait(char **argv)
{
    if (getenv("OMP_WAIT_POLICY")) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
    if (!getenv("GOMP_SPINCOUNT") && setenv("GOMP_SPINCOUNT", SL_DEFAULT_SPINCOUNT, 1) != 0) return;
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the default policy */
}

int main(int argc, char **argv)
{
    default_passive_wait(argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("swarmlab %s (%s)\n", SWARMLAB_VERSION, LUA_RELEASE);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) return help(argc, argv);
    const command *c = find(cmd);
    if (!c) {
        fprintf(stderr, "swarmlab: unknown command '%s' (see 'swarmlab --help')\n", cmd);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
