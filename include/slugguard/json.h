/* SPDX-License-Identifier: MIT */
/*
 * JSON documents. This module is the only user of cJSON, so that every
 * other module reads and writes JSON through one small, bounded API.
 *
 * Ownership: json_parse() and json_new_*() return a tree the caller owns
 * and frees with json_free() on the root only. A node added to an object
 * or array belongs to its parent. Getters return borrowed pointers valid
 * while the root lives.
 */
#ifndef SLUGGUARD_JSON_H
#define SLUGGUARD_JSON_H

struct json;

/*
 * Parse len bytes (need not be NUL-terminated), strictly: one value and
 * only whitespace after it, no key twice in an object (cJSON alone would
 * keep the first and ignore the rest). what names the input in the error
 * message, with the 1-based line: "app.json:3: invalid JSON",
 * "slugguard.json:2: unexpected text after the JSON value",
 * "slugguard.json:5: duplicate key \"procfile\"".
 */
int json_parse(struct json **out, const char *buf, size_t len,
	       const char *what);
void json_free(struct json *j);

bool json_is_object(const struct json *j);
bool json_is_array(const struct json *j);
bool json_is_string(const struct json *j);
bool json_is_null(const struct json *j);
/* Case-sensitive member lookup; NULL when missing or j is not an object. */
struct json *json_get(const struct json *j, const char *key);
/* The string value, or NULL when j is not a string. */
const char *json_string(const struct json *j);
/* Member key's string, or NULL when missing or not a string. */
const char *json_get_string(const struct json *j, const char *key);
/* Number value; returns false when j is not a number. */
bool json_number(const struct json *j, double *out);
/* Boolean value; returns false when j is not a boolean. */
bool json_bool(const struct json *j, bool *out);
size_t json_array_size(const struct json *j);
struct json *json_array_at(const struct json *j, size_t i);
/* Iterate the members of an object or array: child, then next. */
struct json *json_child(const struct json *j);
struct json *json_next(const struct json *j);
/* The key of an object member, or NULL. */
const char *json_key(const struct json *j);

struct json *json_new_object(void);
struct json *json_new_array(void);
struct json *json_new_string(const char *s);
struct json *json_new_number(double d);
struct json *json_new_bool(bool b);
struct json *json_new_null(void);
/* Add child under key (takes ownership of child); returns child. */
struct json *json_add(struct json *obj, const char *key, struct json *child);
struct json *json_add_string(struct json *obj, const char *key, const char *s);
struct json *json_add_number(struct json *obj, const char *key, double d);
struct json *json_add_bool(struct json *obj, const char *key, bool b);
struct json *json_add_null(struct json *obj, const char *key);
/* Append child to an array (takes ownership); returns child. */
struct json *json_push(struct json *arr, struct json *child);
/* A deep copy the caller owns. */
struct json *json_dup(const struct json *j);

/*
 * Serialise. Caller frees the result with free(3). Compact unless pretty.
 */
char *json_print(const struct json *j, bool pretty);

#endif
