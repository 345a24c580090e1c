/* sc_test_util.h - checks shared by the supply-chain test suites. */
#ifndef SC_TEST_UTIL_H
#define SC_TEST_UTIL_H

#include <check.h>
#include <string.h>

#include "swarmlab/supply_chain.h"
#include "swarmlab/world.h"

/* sl_sc_create must refuse d with one line that contains want. */
static inline void expect_refused(sl_sc_def d, const char *want)
{
    sl_world *w = sl_world_create(1);
    sl_error e;
    sl_error_clear(&e);
    ck_assert_ptr_null(sl_sc_create(w, &d, &e));
    ck_assert_msg(strstr(e.msg, want) != NULL, "'%s' does not say '%s'", e.msg, want);
    ck_assert_ptr_null(strchr(e.msg, '\n'));
    sl_world_destroy(w);
}

#endif
