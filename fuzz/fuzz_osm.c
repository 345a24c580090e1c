/* fuzz_osm.c - OpenStreetMap road networks (sl_roads_create: libreadosm's .osm XML or .osm.pbf
 * reader, then the graph build). The input's first byte picks the format. */
#include "fuzz_input.h"

#include "swarmlab/roads.h"

static char xml_path[64], pbf_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(xml_path, sizeof xml_path, "/tmp/swarmlab-fuzz-%d.osm", (int)getpid());
    snprintf(pbf_path, sizeof pbf_path, "/tmp/swarmlab-fuzz-%d.osm.pbf", (int)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *path = data[0] & 1 ? pbf_path : xml_path;
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1) abort();
    fclose(f);
    sl_roads_def def = sl_roads_def_default();
    sl_error e;
    sl_roads *r = sl_roads_create(&def, path, &e);
    sl_roads_destroy(r);
    return 0;
}
