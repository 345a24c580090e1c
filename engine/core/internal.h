/* internal.h - engine-private functions shared between core modules (not installed). */
#ifndef SWARMLAB_CORE_INTERNAL_H
#define SWARMLAB_CORE_INTERNAL_H

#include "swarmlab/recorder.h"

sl_recorder *slp_recorder_create(void);
void slp_recorder_destroy(sl_recorder *r);

#endif
