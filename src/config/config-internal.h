/* SPDX-License-Identifier: MIT */
/* Shared by scanconfig.c and gitleaks.c. */
#ifndef SLUGGUARD_CONFIG_INTERNAL_H
#define SLUGGUARD_CONFIG_INTERNAL_H

#include "slugguard/config.h"

/* Point c->rules at the current contents of c's lists (after appends). */
void config_scan_sync(struct config_scan *c);
/* Rule ids: lowercase letters, digits, '-', '_' and '.'. */
bool config_scan_valid_id(const char *id);

#endif
