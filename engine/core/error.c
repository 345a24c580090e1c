#include "swarmlab/error.h"

#include <stdarg.h>
#include <stdio.h>

sl_status sl_error_set(sl_error *e, sl_status code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}

void sl_error_clear(sl_error *e)
{
    if (e) {
        e->code = SL_OK;
        e->msg[0] = '\0';
    }
}

const char *sl_status_name(sl_status s)
{
    switch (s) {
    case SL_OK: return "ok";
    case SL_ERR_IO: return "io";
    case SL_ERR_PARSE: return "parse";
    case SL_ERR_RANGE: return "range";
    case SL_ERR_NOMEM: return "nomem";
    case SL_ERR_LUA: return "lua";
    case SL_ERR_STATE: return "state";
    case SL_ERR_USAGE: return "usage";
    }
    return "unknown";
}
