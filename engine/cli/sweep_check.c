/* sweep_check.c - before a sweep's first run: the experiment's identity (DIR/sweep.json), the
 * checks of every grid value against the scenario, and the columns of runs.csv. */
#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "sha256.h"
#include "sweep_csv.h"
#include "sweep_journal.h"

/* DIR/sweep.json: what this sweep is. A resumed sweep must be the same experiment. */
static char *experiment_text(const sl_sweep *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    char sha[65] = "";
    if (sl_sha256_file(s->scenario, sha) != 0) sha[0] = '\0';
    fputs("{\n  \"scenario\": ", f);
    sl_json_string(f, s->scenario);
    fputs(",\n  \"scenario_sha256\": ", f);
    sl_json_string(f, sha);
    fprintf(f, ",\n  \"replicates\": %lld,\n  \"base_seed\": %llu,\n  \"steps\": %lld,\n  \"runs\": %zu",
            s->replicates, (unsigned long long)s->base_seed, s->steps, s->nruns);
    fputs(",\n  \"grid\": {", f);
    for (int a = 0; a < s->grid.naxes; a++) {
        fputs(a ? ",\n    " : "\n    ", f);
        sl_json_string(f, s->grid.axes[a].name);
        fputs(": [", f);
        for (int v = 0; v < s->grid.axes[a].nvalues; v++) {
            if (v) fputs(", ", f);
            sl_json_string(f, s->grid.axes[a].values[v]);
        }
        fputc(']', f);
    }
    fputs(s->grid.naxes ? "\n  }" : "}", f);
    fputs(",\n  \"set\": {", f);
    for (int i = 0; i < s->nfixed; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        sl_json_string(f, s->fixed_names[i]);
        fputs(": ", f);
        sl_json_string(f, s->fixed_values[i]);
    }
    fputs(s->nfixed ? "\n  }\n}\n" : "}\n}\n", f);
    fclose(f);
    return buf;
}

/* A directory that already holds runs must belong to the same experiment (write = 0 checks;
 * write = 1, after the checks passed, records the experiment). */
int sl_sweep_check_experiment(const sl_sweep *s, int write)
{
    char path[4200], runs[4200];
    snprintf(path, sizeof path, "%s/sweep.json", s->out);
    snprintf(runs, sizeof runs, "%s/runs.csv", s->out);
    char *want = experiment_text(s);
    if (!want) {
        fprintf(stderr, "swarmlab sweep: out of memory\n");
        return 2;
    }
    size_t len;
    char *have = sl_read_file(path, &len);
    int rc = 0;
    sl_error e;
    if (have && strcmp(have, want) != 0 && access(runs, F_OK) == 0) {
        fprintf(stderr, "swarmlab sweep: %s describes a different sweep (scenario, its contents, "
                        "grid, replicates, base seed or steps changed); use another --out\n", path);
        rc = 2;
    } else if (write && (!have || strcmp(have, want) != 0) &&
               sl_write_file_atomic(path, want, strlen(want), &e) != SL_OK) {
        fprintf(stderr, "swarmlab sweep: %s\n", e.msg);
        rc = 2;
    }
    free(have);
    free(want);
    return rc;
}

/* ---- checking the grid against the scenario ---- */

typedef struct check_job {
    size_t point;      /* a grid point to try */
    int axis, value;   /* the value it checks (-1: the first point) */
    pid_t pid;
    char dir[4300];
} check_job;

int sl_sweep_run_checks(sl_sweep *s, char *first_dir, size_t dirn)
{
    int naxes = s->grid.naxes, n = 1;
    for (int a = 0; a < naxes; a++) n += s->grid.axes[a].nvalues - 1;
    check_job *jobs = calloc((size_t)n, sizeof *jobs);
    if (!jobs) {
        fprintf(stderr, "swarmlab sweep: out of memory\n");
        return 2;
    }
    jobs[0].axis = -1;
    int k = 1;
    for (int a = 0; a < naxes; a++) {
        size_t stride = 1;
        for (int b = a + 1; b < naxes; b++) stride *= (size_t)s->grid.axes[b].nvalues;
        for (int v = 1; v < s->grid.axes[a].nvalues; v++, k++) {
            jobs[k].point = (size_t)v * stride;
            jobs[k].axis = a;
            jobs[k].value = v;
        }
    }
    char base[4200];
    snprintf(base, sizeof base, "%s/.check", s->out);
    sl_remove_tree(base);
    if (mkdir(base, 0755) != 0) {
        fprintf(stderr, "swarmlab sweep: cannot create %s: %s\n", base, strerror(errno));
        free(jobs);
        return 2;
    }
    int rc = 0, next = 0, running = 0;
    while ((next < n && rc == 0) || running > 0) {
        while (rc == 0 && next < n && running < s->jobs) {
            check_job *j = &jobs[next];
            snprintf(j->dir, sizeof j->dir, "%s/%d", base, next);
            char errp[4400];
            snprintf(errp, sizeof errp, "%s.log", j->dir);
            /* the first point runs setup() with 0 steps (it gives the columns); the other
             * values only need their parameters checked */
            char **argv = sl_sweep_argv(s, j->point, s->base_seed, j->dir, 0, next > 0);
            sl_error e;
            j->pid = argv ? sl_sweep_spawn(s, argv, errp, &e) : -1;
            sl_sweep_argv_release(argv);
            if (j->pid < 0) {
                fprintf(stderr, "swarmlab sweep: %s\n", argv ? e.msg : "out of memory");
                rc = 2;
                break;
            }
            next++;
            running++;
        }
        if (running == 0) break;
        int ws;
        pid_t pid = waitpid(-1, &ws, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < next; i++) {
            if (jobs[i].pid != pid) continue;
            jobs[i].pid = 0;
            running--;
            if (rc == 0 && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
                char errp[4400], line[1024] = "";
                snprintf(errp, sizeof errp, "%s.log", jobs[i].dir);
                size_t len;
                char *t = sl_read_file(errp, &len);
                if (t) { /* last non-empty line */
                    while (len && (t[len - 1] == '\n' || t[len - 1] == ' ')) t[--len] = '\0';
                    char *b = strrchr(t, '\n');
                    snprintf(line, sizeof line, "%s", b ? b + 1 : t);
                    free(t);
                }
                const char *msg = strncmp(line, "swarmlab: error: ", 17) == 0 ? line + 17 : line;
                if (!*msg) msg = WIFSIGNALED(ws) ? strsignal(WTERMSIG(ws)) : "the run failed";
                if (jobs[i].axis < 0) {
                    char sets[1024] = "";
                    for (int a = 0; a < naxes; a++)
                        snprintf(sets + strlen(sets), sizeof sets - strlen(sets), " %s=%s",
                                 s->grid.axes[a].name, s->grid.axes[a].values[0]);
                    fprintf(stderr, "swarmlab sweep: the scenario fails at the first grid point%s: %s\n",
                            sets, msg);
                } else {
                    const sl_grid_axis *ax = &s->grid.axes[jobs[i].axis];
                    fprintf(stderr, "swarmlab sweep: --grid %s: the scenario rejects %s=%s: %s\n",
                            ax->name, ax->name, ax->values[jobs[i].value], msg);
                }
                rc = 2;
            }
        }
    }
    if (rc == 0) snprintf(first_dir, dirn, "%s", jobs[0].dir);
    free(jobs);
    return rc;
}

static int strv_push(char ***v, int *n, const char *s)
{
    char **nv = realloc(*v, (size_t)(*n + 1) * sizeof *nv);
    if (!nv) return -1;
    *v = nv;
    if (!(nv[*n] = strdup(s))) return -1;
    (*n)++;
    return 0;
}

static int has_col(char **cols, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0) return 1;
    return 0;
}

/* A unique column name: name, else name + suffix, else name + suffix + _2, _3... */
static int push_unique(char ***cols, int *n, const char *name, const char *suffix)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s", name);
    if (has_col(*cols, *n, buf)) snprintf(buf, sizeof buf, "%s%s", name, suffix);
    for (int k = 2; has_col(*cols, *n, buf); k++)
        snprintf(buf, sizeof buf, "%s%s_%d", name, suffix, k);
    return strv_push(cols, n, buf);
}

int sl_sweep_build_columns(sl_sweep *s)
{
    int bad = 0;
    static const char *const fixed1[] = {"run", "point", "replicate"};
    static const char *const fixed2[] = {"seed", "status", "error", "wall_seconds", "steps"};
    for (int i = 0; i < 3; i++) bad |= strv_push(&s->cols, &s->ncols, fixed1[i]);
    for (int i = 0; i < s->nparams; i++) {
        const char *p = s->params[i];
        int clash = 0;
        for (int k = 0; k < 5; k++) clash |= strcmp(p, fixed2[k]) == 0;
        for (int k = 0; k < 3; k++) clash |= strcmp(p, fixed1[k]) == 0;
        char buf[600];
        snprintf(buf, sizeof buf, "%s%s", clash ? "param_" : "", p);
        bad |= push_unique(&s->cols, &s->ncols, buf, "_param");
    }
    for (int i = 0; i < 5; i++) {
        if (i == 0) s->col_seed = s->ncols;
        bad |= strv_push(&s->cols, &s->ncols, fixed2[i]);
    }
    s->col_status = s->col_seed + 1;
    s->col_error = s->col_seed + 2;
    s->col_wall = s->col_seed + 3;
    s->col_steps = s->col_seed + 4;
    for (int i = 0; i < s->nmetrics; i++) bad |= push_unique(&s->cols, &s->ncols, s->metrics[i], "_final");
    for (int i = 0; i < s->nresults; i++) bad |= push_unique(&s->cols, &s->ncols, s->results[i], "_result");
    return bad ? -1 : 0;
}

/* Columns from the dry run of the first grid point: parameters (swept first), metrics, results. */
int sl_sweep_columns_from_check(sl_sweep *s, const char *dir)
{
    char path[4400];
    sl_kvlist man = {0}, last = {0};
    sl_error e;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (sl_json_read_flat(path, &man, &e) != SL_OK) {
        fprintf(stderr, "swarmlab sweep: dry run: %s\n", e.msg);
        return 2;
    }
    int bad = 0;
    for (int a = 0; a < s->grid.naxes; a++) bad |= strv_push(&s->params, &s->nparams, s->grid.axes[a].name);
    for (int i = 0; i < man.n; i++) {
        const char *k = man.kv[i].key;
        size_t n = strlen(k);
        if (strncmp(k, "params.", 7) != 0 || n < 13 || strcmp(k + n - 6, ".value") != 0) continue;
        char name[512];
        snprintf(name, sizeof name, "%.*s", (int)(n - 13), k + 7);
        if (sl_sweep_grid_find(&s->grid, name) < 0) bad |= strv_push(&s->params, &s->nparams, name);
    }
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    size_t len;
    char *text = sl_read_file(path, &len);
    if (text) {
        char *nl = strchr(text, '\n');
        sl_csv_row head = {0};
        if (sl_csv_split(text, nl ? (size_t)(nl - text) : len, &head) == SL_OK)
            for (int i = 1; i < head.n; i++) bad |= strv_push(&s->metrics, &s->nmetrics, head.f[i]);
        sl_csv_row_release(&head);
        free(text);
    }
    char **res = NULL;
    int nres = sl_sweep_manifest_results(&man, &res);
    for (int i = 0; i < nres; i++) {
        if (res[i]) bad |= strv_push(&s->results, &s->nresults, res[i]);
        free(res[i]);
    }
    free(res);
    sl_kvlist_release(&man);
    sl_kvlist_release(&last);
    if (nres < 0 || bad || sl_sweep_build_columns(s) != 0) {
        fprintf(stderr, "swarmlab sweep: out of memory\n");
        return 2;
    }
    return 0;
}

