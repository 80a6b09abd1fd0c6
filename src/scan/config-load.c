/* SPDX-License-Identifier: MIT */
/*
 * Finding and reading the scanner config files: .slugguard.json (config.c)
 * and .gitleaks.toml (gitleaks.c). Kept apart from both parsers so that
 * each parser depends on config.c's helpers and neither on the other.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/scan.h"
#include "slugguard/strbuf.h"

#define CONFIG_SCAN_MAX (1024 * 1024)

static bool is_toml(const char *path)
{
	size_t n = strlen(path);

	return n >= 5 && !strcmp(path + n - 5, ".toml");
}

/* Parse buf as JSON or, for a .toml name, as a gitleaks config into *c. */
static int parse_into(struct config_scan *c, const char *buf, size_t len,
		      const char *path)
{
	if (is_toml(path))
		return config_gitleaks_parse(c, buf, len, path);
	return config_scan_parse(c, buf, len, path);
}

int config_scan_load(struct config_scan *out, const char *path, bool must_exist)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	/* A file named with --config may be a link; one found in the tree
	 * may not (see fs_read_worktree). */
	if (must_exist)
		rc = fs_read_capped(&sb, path, CONFIG_SCAN_MAX);
	else
		rc = fs_read_worktree(&sb, path, CONFIG_SCAN_MAX);
	if (rc == ERR_NOTFOUND && !must_exist) {
		error_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = parse_into(out, sb.buf, sb.len, path);
out:
	strbuf_release(&sb);
	return rc;
}

/* "<dir>/<name>", or just name for "." (messages name what users see). */
static void join(struct strbuf *sb, const char *dir, const char *name)
{
	strbuf_reset(sb);
	if (strcmp(dir, ".")) {
		strbuf_addstr(sb, dir);
		if (sb->len && sb->buf[sb->len - 1] != '/')
			strbuf_addch(sb, '/');
	}
	strbuf_addstr(sb, name);
}

int config_scan_load_root(struct config_scan *out, const char *root)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	join(&path, root, ".slugguard.json");
	rc = config_scan_load(out, path.buf, false);
	if (rc < 0)
		goto out;
	join(&path, root, ".gitleaks.toml");
	rc = config_scan_load(out, path.buf, false);
out:
	if (rc < 0)
		config_scan_release(out);
	strbuf_release(&path);
	return rc;
}
