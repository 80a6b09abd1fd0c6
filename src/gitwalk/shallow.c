/* SPDX-License-Identifier: MIT */
/*
 * A repository's shallow boundary (the object reader itself, src/odb,
 * is opened with the handle in repo.c).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"
#include "slugguard/fs.h"

/* The shallow boundary: commits whose parents we must not look for. */
void gitwalk_load_shallow(struct oidmap *set, const struct gitwalk *w)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	size_t pos = 0, one = 1;

	strbuf_addf(&path, "%sshallow", gitwalk_commondir(w));
	if (fs_read_capped(&sb, path.buf, 64 * 1024 * 1024) < 0)
		error_clear();
	while (pos + GITWALK_HEXSZ <= sb.len) {
		git_oid id;

		if (gitwalk_hex_to_oid(&id, sb.buf + pos))
			oidmap_put(set, id.id, &one);
		while (pos < sb.len && sb.buf[pos] != '\n')
			pos++;
		pos++;
	}
	strbuf_release(&sb);
	strbuf_release(&path);
}
