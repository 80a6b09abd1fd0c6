/* SPDX-License-Identifier: MIT */
/* struct strvec: see include/slugguard/strvec.h. */
#include "slugguard/common.h"
#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

const char *strvec_empty_array[] = { NULL };

void strvec_init(struct strvec *sv)
{
	sv->v = strvec_empty_array;
	sv->nr = sv->alloc = 0;
}

static const char *push_owned(struct strvec *sv, char *s)
{
	if (sv->v == strvec_empty_array)
		sv->v = NULL;
	ALLOC_GROW(sv->v, st_add(sv->nr, 2), sv->alloc);
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
	return s;
}

const char *strvec_push(struct strvec *sv, const char *s)
{
	return push_owned(sv, xstrdup(s));
}

const char *strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return push_owned(sv, strbuf_detach(&sb, NULL));
}

void strvec_pushl(struct strvec *sv, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, sv);
	while ((s = va_arg(ap, const char *)))
		strvec_push(sv, s);
	va_end(ap);
}

void strvec_pushv(struct strvec *sv, const char **items)
{
	for (; *items; items++)
		strvec_push(sv, *items);
}

void strvec_clear(struct strvec *sv)
{
	if (sv->v != strvec_empty_array) {
		for (size_t i = 0; i < sv->nr; i++)
			free((void *)(uintptr_t)sv->v[i]);
		free(sv->v);
	}
	strvec_init(sv);
}
