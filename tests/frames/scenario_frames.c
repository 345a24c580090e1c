/* scenario_frames.c - headless frames of one shipped scenario are not blank.
 *
 *   scenario_frames SWARMLAB_EXE SCENARIO.lua WORK_DIR [--set NAME=VALUE ...]
 *
 * Runs the scenario through `swarmlab run --frames` (no HUD, so only the world is drawn) and reads
 * back every PNG it wrote. Arguments after WORK_DIR are passed to the run (a scenario whose default
 * planning is slow gets a smaller budget; the frames are what is tested). A frame is blank when
 * fewer than MIN_CONTENT of its pixels differ from the colours of an empty world's frame (canvas background, plane fill and edge), which the
 * program first renders itself from a scenario with a plane and nothing on it; that reference
 * frame must itself be judged blank, so the detector is checked too.
 * Exit status: 0 every frame shows something, 1 a blank frame or a failed run, 77 (skip) when the
 * scenario names a file under ../shared/ that is absent (the public data sets are not here). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#define SIZE_W 400
#define SIZE_H 300
#define MIN_CONTENT 150 /* pixels (0.125% of the frame): a few sites or agents, a route */
#define MAX_EMPTY 8     /* colours of the empty reference frame kept */

static uint32_t empty_colours[MAX_EMPTY];
static int nempty;

/* Returns 1 and names the first missing ../shared/ path of the scenario text in `missing`. */
static int needs_absent_shared(const char *scenario, char *missing, size_t len)
{
    FILE *f = fopen(scenario, "r");
    if (!f) return 0;
    char line[4096];
    int absent = 0;
    while (!absent && fgets(line, sizeof line, f)) {
        const char *dash = strstr(line, "--");
        for (const char *p = line; (p = strstr(p, "../shared/")) != NULL; p++) {
            if (dash && dash < p) break; /* a comment (usage lines) */
            if (p == line || (p[-1] != '"' && p[-1] != '\'')) continue;
            char q = p[-1];
            size_t n = 0;
            while (p[n] && p[n] != q && n + 1 < len) n++;
            snprintf(missing, len, "%.*s", (int)n, p);
            if (access(missing, R_OK) != 0) { absent = 1; break; }
        }
    }
    fclose(f);
    return absent;
}

static int run(const char *exe, const char *scenario, const char *dir, const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "SDL_VIDEODRIVER=dummy '%s' run '%s' --steps 30 --frame-every 10 --size %dx%d "
             "--no-hud --quiet --threads 2 --frames '%s/frames' --out '%s/out'%s "
             ">'%s/log.txt' 2>&1",
             exe, scenario, SIZE_W, SIZE_H, dir, dir, extra, dir);
    int rc = system(cmd);
    if (rc != 0) {
        printf("FAIL: %s exited with status %d; its output:\n", scenario, rc);
        snprintf(cmd, sizeof cmd, "cat '%s/log.txt'", dir);
        if (system(cmd) != 0) printf("(no output)\n");
        return -1;
    }
    return 0;
}

static SDL_Surface *load(const char *path)
{
    SDL_Surface *s = IMG_Load(path);
    if (!s) return NULL;
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(s);
    return c;
}

static uint32_t pixel(const SDL_Surface *s, int x, int y)
{
    const uint8_t *row = (const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch;
    uint32_t p;
    memcpy(&p, row + 4 * (size_t)x, 4);
    return p & 0xffffffu;
}

static long content_pixels(const SDL_Surface *s)
{
    long n = 0;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            uint32_t p = pixel(s, x, y);
            int known = 0;
            for (int k = 0; k < nempty && !known; k++) known = p == empty_colours[k];
            n += !known;
        }
    return n;
}

/* The colours of an empty world (a plane and nothing else). */
static int calibrate(const char *exe, const char *work)
{
    char dir[2048], scen[2100], path[2200];
    snprintf(dir, sizeof dir, "%s/empty", work);
    mkdir(dir, 0777);
    snprintf(scen, sizeof scen, "%s/empty.lua", dir);
    FILE *f = fopen(scen, "w");
    if (!f) { printf("FAIL: cannot write %s\n", scen); return -1; }
    fputs("function setup(world) world:plane{width = 10, height = 10} end\n", f);
    fclose(f);
    if (run(exe, scen, dir, "") != 0) return -1;
    snprintf(path, sizeof path, "%s/frames/final.png", dir);
    SDL_Surface *s = load(path);
    if (!s) { printf("FAIL: %s: %s\n", path, IMG_GetError()); return -1; }
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            uint32_t p = pixel(s, x, y);
            int known = 0;
            for (int k = 0; k < nempty && !known; k++) known = p == empty_colours[k];
            if (known) continue;
            if (nempty == MAX_EMPTY) {
                printf("FAIL: the empty world's frame has more than %d colours\n", MAX_EMPTY);
                SDL_FreeSurface(s);
                return -1;
            }
            empty_colours[nempty++] = p;
        }
    /* the plane fill differs from the canvas: an empty plane is two colours at least, and the
     * detector must call its frame blank */
    long c = content_pixels(s);
    SDL_FreeSurface(s);
    if (nempty < 2 || c != 0) {
        printf("FAIL: the empty world's frame has %d colours and %ld content pixels\n", nempty, c);
        return -1;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: scenario_frames SWARMLAB_EXE SCENARIO.lua WORK_DIR [--set NAME=VALUE ...]\n");
        return 2;
    }
    char extra[1024] = "";
    for (int i = 4; i < argc; i++) {
        size_t used = strlen(extra);
        if (strchr(argv[i], '\'') || used + strlen(argv[i]) + 4 > sizeof extra) {
            fprintf(stderr, "scenario_frames: argument %d: too long or holds a quote: %s\n", i, argv[i]);
            return 2;
        }
        snprintf(extra + used, sizeof extra - used, " '%s'", argv[i]);
    }
    const char *exe = argv[1], *scenario = argv[2], *work = argv[3];
    char missing[1024];
    if (needs_absent_shared(scenario, missing, sizeof missing)) {
        printf("SKIP: %s needs %s, which is absent\n", scenario, missing);
        return 77;
    }
    char cmd[2300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", work, work);
    if (system(cmd) != 0) { printf("FAIL: cannot make %s\n", work); return 1; }
    if (calibrate(exe, work) != 0) return 1;
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/run", work);
    mkdir(dir, 0777);
    if (run(exe, scenario, dir, extra) != 0) return 1;

    char fdir[2100];
    snprintf(fdir, sizeof fdir, "%s/frames", dir);
    DIR *d = opendir(fdir);
    if (!d) { printf("FAIL: %s wrote no frames directory\n", scenario); return 1; }
    char *names[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".png") == 0) names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    int blank = 0;
    for (int i = 0; i < n; i++) {
        char path[2400];
        snprintf(path, sizeof path, "%s/%s", fdir, names[i]);
        SDL_Surface *s = load(path);
        if (!s) {
            printf("FAIL: %s: %s\n", path, IMG_GetError());
            blank++;
        } else {
            long c = content_pixels(s);
            int ok = s->w == SIZE_W && s->h == SIZE_H && c >= MIN_CONTENT;
            printf("%s %s: %ld content pixels of %d\n", ok ? "ok  " : "FAIL", names[i], c,
                   s->w * s->h);
            blank += !ok;
            SDL_FreeSurface(s);
        }
        free(names[i]);
    }
    if (n < 2) {
        printf("FAIL: %s wrote %d frames (step 0 and final.png at least expected)\n", scenario, n);
        return 1;
    }
    if (blank) {
        printf("FAIL: %d of %d frames of %s are blank (fewer than %d pixels drawn)\n", blank, n,
               scenario, MIN_CONTENT);
        return 1;
    }
    printf("%d frames of %s, none blank\n", n, scenario);
    return 0;
}
