/* SPDX-License-Identifier: GPL-2.0 */
/* Tiny host test harness: TEST(name) cases, CHECK macros, TAP output, "N passed, M failed". */
#ifndef LIVE_HARNESS_H
#define LIVE_HARNESS_H

#include <stdio.h>
#include <string.h>

struct harness {
	int passed, failed, case_failed;
	const char *name;
};

static struct harness harness_state;

#define CHECK(cond) do { if (!(cond)) { \
	printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	harness_state.case_failed = 1; } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
	printf("#   %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); \
	harness_state.case_failed = 1; } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b) != 0) { \
	printf("#   %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
	       _a ? _a : "(null)", _b ? _b : "(null)"); harness_state.case_failed = 1; } } while (0)

#define TEST(fn) static void fn(void)
#define RUN(fn) do { harness_state.case_failed = 0; harness_state.name = #fn; fn(); \
	if (harness_state.case_failed) { harness_state.failed++; printf("not ok - %s\n", #fn); } \
	else { harness_state.passed++; printf("ok - %s\n", #fn); } fflush(stdout); } while (0)
#define HARNESS_END() (printf("%d passed, %d failed\n", harness_state.passed, harness_state.failed), \
	harness_state.failed ? 1 : 0)

#endif
