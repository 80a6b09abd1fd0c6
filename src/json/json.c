/* SPDX-License-Identifier: MIT */
/* The one place that includes cJSON: see include/slugguard/json.h. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"

#include <cjson/cJSON.h>

/* struct json is never defined: a struct json * is a cJSON *. */
static cJSON *C(const struct json *j)
{
	return (cJSON *)(uintptr_t)j;
}

static struct json *J(cJSON *c)
{
	return (struct json *)(void *)c;
}

/* 1-based line of p in buf. */
static size_t line_at(const char *buf, const char *p)
{
	size_t line = 1;

	for (const char *q = buf; q < p; q++)
		line += *q == '\n';
	return line;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The line of the nth object key (0-based, document order) of a text
 * cJSON accepted: a key is a string followed by ':'. cJSON keeps no
 * positions; a pre-order walk of the tree meets keys in document order,
 * so counting them in the text finds the one the walk names.
 */
static size_t key_line(const char *buf, size_t len, size_t nth)
{
	const char *p = buf, *end = buf + len;
	size_t seen = 0;

	while (p < end) {
		const char *start = p;

		if (*p++ != '"')
			continue;
		while (p < end && *p != '"')
			p += *p == '\\' ? 2 : 1;
		p++;
		while (p < end && is_ws(*p))
			p++;
		if (p < end && *p == ':' && seen++ == nth)
			return line_at(buf, start);
	}
	return line_at(buf, end);
}

struct key_ref {
	const char *key;
	size_t nth; /* document order among all keys */
};

static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->nth < y->nth ? -1 : x->nth > y->nth;
}

struct dup_walk {
	size_t nth; /* keys seen so far */
	size_t dup_nth; /* earliest repeated key, or SIZE_MAX */
	const char *dup_key;
};

/*
 * Number keys in document order and note the earliest one that repeats
 * a sibling: cJSON keeps duplicates as siblings and its lookups take the
 * first, so a second "procfile" would silently lose. Depth is bounded by
 * cJSON's nesting limit.
 */
static void find_dup(const cJSON *c, struct dup_walk *dw)
{
	struct key_ref *refs = NULL;
	size_t n = 0;

	if (cJSON_IsObject(c)) {
		for (const cJSON *m = c->child; m; m = m->next)
			n++;
		refs = xcalloc(n ? n : 1, sizeof(*refs));
	}
	n = 0;
	for (const cJSON *m = c->child; m; m = m->next) {
		if (refs) {
			refs[n].key = m->string ? m->string : "";
			refs[n++].nth = dw->nth++;
		}
		find_dup(m, dw);
	}
	if (n > 1)
		qsort(refs, n, sizeof(*refs), key_ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(refs[i - 1].key, refs[i].key) &&
		    refs[i].nth < dw->dup_nth) {
			dw->dup_nth = refs[i].nth;
			dw->dup_key = refs[i].key;
		}
	free(refs);
}

int json_parse(struct json **out, const char *buf, size_t len, const char *what)
{
	struct dup_walk dw = { 0, SIZE_MAX, NULL };
	const char *end = NULL;
	cJSON *c;

	*out = NULL;
	c = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!c) {
		if (!end || end < buf || end > buf + len)
			end = buf;
		return error_set("%s:%zu: invalid JSON", what,
				 line_at(buf, end));
	}
	/* cJSON stops after the first value: "{...}\n,{...}" parsed as its
	 * first object and dropped the rest. */
	while (end < buf + len && is_ws(*end))
		end++;
	if (end < buf + len) {
		cJSON_Delete(c);
		return error_set("%s:%zu: unexpected text after the JSON value",
				 what, line_at(buf, end));
	}
	find_dup(c, &dw);
	if (dw.dup_key) {
		int rc = error_set("%s:%zu: duplicate key \"%s\"", what,
				   key_line(buf, len, dw.dup_nth), dw.dup_key);

		cJSON_Delete(c);
		return rc;
	}
	*out = J(c);
	return 0;
}

void json_free(struct json *j)
{
	cJSON_Delete(C(j));
}

bool json_is_object(const struct json *j)
{
	return cJSON_IsObject(C(j));
}

bool json_is_array(const struct json *j)
{
	return cJSON_IsArray(C(j));
}

bool json_is_string(const struct json *j)
{
	return cJSON_IsString(C(j));
}

bool json_is_null(const struct json *j)
{
	return cJSON_IsNull(C(j));
}

struct json *json_get(const struct json *j, const char *key)
{
	if (!cJSON_IsObject(C(j)))
		return NULL;
	return J(cJSON_GetObjectItemCaseSensitive(C(j), key));
}

const char *json_string(const struct json *j)
{
	return cJSON_IsString(C(j)) ? C(j)->valuestring : NULL;
}

const char *json_get_string(const struct json *j, const char *key)
{
	return json_string(json_get(j, key));
}

bool json_number(const struct json *j, double *out)
{
	if (!cJSON_IsNumber(C(j)))
		return false;
	*out = C(j)->valuedouble;
	return true;
}

bool json_bool(const struct json *j, bool *out)
{
	if (!cJSON_IsBool(C(j)))
		return false;
	*out = cJSON_IsTrue(C(j));
	return true;
}

size_t json_array_size(const struct json *j)
{
	int n = cJSON_IsArray(C(j)) ? cJSON_GetArraySize(C(j)) : 0;

	return n > 0 ? (size_t)n : 0;
}

struct json *json_array_at(const struct json *j, size_t i)
{
	if (!cJSON_IsArray(C(j)) || i > INT32_MAX)
		return NULL;
	return J(cJSON_GetArrayItem(C(j), (int)i));
}

struct json *json_child(const struct json *j)
{
	return j ? J(C(j)->child) : NULL;
}

struct json *json_next(const struct json *j)
{
	return j ? J(C(j)->next) : NULL;
}

const char *json_key(const struct json *j)
{
	return j ? C(j)->string : NULL;
}

static struct json *must(cJSON *c)
{
	if (!c)
		die("out of memory building JSON");
	return J(c);
}

struct json *json_new_object(void)
{
	return must(cJSON_CreateObject());
}

struct json *json_new_array(void)
{
	return must(cJSON_CreateArray());
}

struct json *json_new_string(const char *s)
{
	return must(cJSON_CreateString(s));
}

struct json *json_new_number(double d)
{
	return must(cJSON_CreateNumber(d));
}

struct json *json_new_bool(bool b)
{
	return must(cJSON_CreateBool(b));
}

struct json *json_new_null(void)
{
	return must(cJSON_CreateNull());
}

struct json *json_add(struct json *obj, const char *key, struct json *child)
{
	if (!cJSON_AddItemToObject(C(obj), key, C(child)))
		BUG("json_add on a non-object");
	return child;
}

struct json *json_add_string(struct json *obj, const char *key, const char *s)
{
	return json_add(obj, key, s ? json_new_string(s) : json_new_null());
}

struct json *json_add_number(struct json *obj, const char *key, double d)
{
	return json_add(obj, key, json_new_number(d));
}

struct json *json_add_bool(struct json *obj, const char *key, bool b)
{
	return json_add(obj, key, json_new_bool(b));
}

struct json *json_add_null(struct json *obj, const char *key)
{
	return json_add(obj, key, json_new_null());
}

struct json *json_push(struct json *arr, struct json *child)
{
	if (!cJSON_AddItemToArray(C(arr), C(child)))
		BUG("json_push on a non-array");
	return child;
}

struct json *json_dup(const struct json *j)
{
	return must(cJSON_Duplicate(C(j), 1));
}

char *json_print(const struct json *j, bool pretty)
{
	char *p = pretty ? cJSON_Print(C(j)) : cJSON_PrintUnformatted(C(j));
	char *res;

	if (!p)
		die("out of memory printing JSON");
	res = xstrdup(p);
	cJSON_free(p);
	return res;
}
