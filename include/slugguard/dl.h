/* SPDX-License-Identifier: MIT */
/*
 * Loading a shared library on first use. Libraries that only some commands
 * need (libcurl for src/heroku, libarchive for src/slug) are not linked:
 * each pulls in a dozen more shared objects that every process start,
 * the git hooks' above all, would pay for. Their one owning module keeps
 * a table of function pointers and fills it with dl_load() when the
 * library is first needed.
 */
#ifndef SLUGGUARD_DL_H
#define SLUGGUARD_DL_H

/* One table entry: the symbol's name and the function pointer to set. */
struct dl_sym {
	const char *name;
	void *slot;
};

/*
 * dlopen() soname into *handle, unless *handle is already set, and set
 * every slot of syms[0..nr) from dlsym(). Returns 0, or ERR_FAIL with
 * "cannot load <soname>: <dlerror>" (a missing library or symbol); then
 * the library is closed again, *handle is NULL and the slots are cleared,
 * so that a half-filled table is never used and a later call tries again.
 * The library stays loaded for the life of the process.
 */
int dl_load(void **handle, const char *soname, const struct dl_sym *syms,
	    size_t nr);

#endif
