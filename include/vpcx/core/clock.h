/*
 * clock: the process's clocks as plain numbers, for intervals, deadlines and
 * the measurements --stats prints.
 */
#ifndef VPCX_CORE_CLOCK_H
#define VPCX_CORE_CLOCK_H

#include <time.h>

/* Microseconds on clock id: CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_PROCESS_CPUTIME_ID... */
double clock_usec(clockid_t id);
/* The monotonic clock in milliseconds. */
long long mono_ms(void);
/* The monotonic clock in seconds. */
double mono_s(void);

#endif
