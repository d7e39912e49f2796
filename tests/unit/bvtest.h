/*
 * bvtest.h - what every cmocka unit test includes. cmocka needs these
 * system headers before its own.
 */
#ifndef BVTEST_H
#define BVTEST_H
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bv.h"

/* Directory of the committed test data (tests/ or keys/), relative to the repo top. */
#ifndef BV_TOP
#define BV_TOP "."
#endif
#endif
