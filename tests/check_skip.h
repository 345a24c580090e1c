/* check_skip.h - a Check test that cannot run (missing ../shared/data, tool or binary) reports a
 * skip to CTest instead of passing.
 *
 * Such a test sits in a test case of its own tagged SL_NEEDS_TAG, registered in CMake with
 * sl_add_test(... NEEDS <case>:<what>): CTest runs that case alone as the test <suite>.<case>
 * (CK_RUN_CASE=<case>, SKIP_RETURN_CODE 77), and the suite's main test leaves the tag out. */
#ifndef SWARMLAB_TESTS_CHECK_SKIP_H
#define SWARMLAB_TESTS_CHECK_SKIP_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define SL_NEEDS_TAG "needs"

/* A test case for checks that need something outside the build; the caller adds its tests. */
static __attribute__((unused)) TCase *sl_needs_case(Suite *s, const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_set_tags(tc, SL_NEEDS_TAG);
    tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

/* Ends the current check as skipped: exit status 77 when the case runs alone under CTest; a
 * failure otherwise (a skip inside a whole-suite run would otherwise read as a pass). */
static __attribute__((unused, format(printf, 1, 2), noreturn)) void sl_skip(const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    printf("SKIP: %s\n", why);
    fflush(stdout);
    if (getenv("CK_RUN_CASE")) exit(77);
    ck_abort_msg("cannot run (%s); run its case alone (CK_RUN_CASE) to report a skip", why);
    abort();
}

#endif
