// SPDX-License-Identifier: GPL-2.0
/* size_parse(): one parser for "512M", "4GiB", "100" sizes (see size.h). */
#include <errno.h>
#include <stdlib.h>

#include "size.h"

unsigned long long size_parse(const char *s, unsigned long long bare)
{
	unsigned long long n, unit;
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE)	/* 2^64 and above: strtoull says 2^64-1 */
		return 0;
	switch (*end) {
	case 'k': case 'K': unit = 1ULL << 10; break;
	case 'm': case 'M': unit = 1ULL << 20; break;
	case 'g': case 'G': unit = 1ULL << 30; break;
	case 't': case 'T': unit = 1ULL << 40; break;
	case '\0': unit = bare; break;
	default: return 0;
	}
	if (*end) {
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
	}
	if (*end || !unit || n > ~0ULL / unit)
		return 0;
	return n * unit;
}
