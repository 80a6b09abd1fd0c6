/* SPDX-License-Identifier: MIT */
/* Loading a shared library on first use: see include/slugguard/dl.h. */
#include "slugguard/common.h"
#include "slugguard/dl.h"
#include "slugguard/error.h"

#include <dlfcn.h>

int dl_load(void **handle, const char *soname, const struct dl_sym *syms,
	    size_t nr)
{
	void *h = NULL;
	int rc = 0;

	if (*handle)
		return 0;
	h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return error_set("cannot load %s: %s", soname, dlerror());
	for (size_t i = 0; i < nr; i++) {
		void *p = dlsym(h, syms[i].name);

		if (!p) {
			rc = error_set("cannot load %s: %s", soname, dlerror());
			break;
		}
		/*
		 * ISO C has no conversion from void * to a function pointer;
		 * POSIX guarantees the representation, so copy the bytes.
		 */
		memcpy(syms[i].slot, &p, sizeof(p));
	}
	if (rc < 0) {
		for (size_t i = 0; i < nr; i++)
			memset(syms[i].slot, 0, sizeof(void *));
		dlclose(h);
		return rc;
	}
	*handle = h;
	return 0;
}
