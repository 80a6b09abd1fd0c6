/* SPDX-License-Identifier: MIT */
/* ISO 8601 UTC times: see include/slugguard/utc.h. */
#define _DEFAULT_SOURCE /* timegm() */
#include "slugguard/common.h"
#include "slugguard/utc.h"

#include <stdio.h>

void utc_iso(char buf[UTC_ISO_LEN], time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, UTC_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
}

time_t utc_iso_parse(const char *s)
{
	struct tm tm;
	char z = 0, extra = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z,
		   &extra) != 7 ||
	    z != 'Z')
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}
