/* check_main.h - shared runner for the engine's Check suites. */
#ifndef SL_CHECK_MAIN_H
#define SL_CHECK_MAIN_H
#include <check.h>
#include <stdlib.h>

static int sl_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
