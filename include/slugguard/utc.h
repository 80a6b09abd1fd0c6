/* SPDX-License-Identifier: MIT */
/*
 * Times as the ledger, attestations and logs write them: ISO 8601 in UTC
 * to the second, "2026-12-03T09:31:10Z".
 */
#ifndef SLUGGUARD_UTC_H
#define SLUGGUARD_UTC_H

#include <time.h>

#define UTC_ISO_LEN 32

/* t into buf; "" when it cannot be formatted. */
void utc_iso(char buf[UTC_ISO_LEN], time_t t);
/* The time s names, when s is exactly that form; else 0. */
time_t utc_iso_parse(const char *s);

#endif
