/* SPDX-License-Identifier: MIT */
/* Loading libarchive on first use: see archive-dl.h for why. */
#include "slugguard/common.h"
#include "slugguard/dl.h"
#include "archive-dl.h"

/* The soname of Debian's libarchive13 (libarchive 3.x). */
#define SLUG_ARCHIVE_SONAME "libarchive.so.13"

struct slug_archive_api slug_archive;

static void *handle;

static const struct dl_sym syms[] = {
	{ "archive_version_string", &slug_archive.version_string },
	{ "archive_write_new", &slug_archive.write_new },
	{ "archive_write_set_format_pax_restricted",
	  &slug_archive.write_set_format_pax_restricted },
	{ "archive_write_add_filter_none",
	  &slug_archive.write_add_filter_none },
	{ "archive_write_open", &slug_archive.write_open },
	{ "archive_write_header", &slug_archive.write_header },
	{ "archive_write_data", &slug_archive.write_data },
	{ "archive_write_close", &slug_archive.write_close },
	{ "archive_write_free", &slug_archive.write_free },
	{ "archive_error_string", &slug_archive.error_string },
	{ "archive_set_error", &slug_archive.set_error },
	{ "archive_entry_new", &slug_archive.entry_new },
	{ "archive_entry_clear", &slug_archive.entry_clear },
	{ "archive_entry_free", &slug_archive.entry_free },
	{ "archive_entry_copy_pathname", &slug_archive.entry_copy_pathname },
	{ "archive_entry_set_mode", &slug_archive.entry_set_mode },
	{ "archive_entry_set_uid", &slug_archive.entry_set_uid },
	{ "archive_entry_set_gid", &slug_archive.entry_set_gid },
	{ "archive_entry_set_mtime", &slug_archive.entry_set_mtime },
	{ "archive_entry_set_size", &slug_archive.entry_set_size },
	{ "archive_entry_set_symlink", &slug_archive.entry_set_symlink },
	{ "archive_read_new", &slug_archive.read_new },
	{ "archive_read_support_filter_gzip",
	  &slug_archive.read_support_filter_gzip },
	{ "archive_read_support_format_tar",
	  &slug_archive.read_support_format_tar },
	{ "archive_read_support_format_raw",
	  &slug_archive.read_support_format_raw },
	{ "archive_read_open_filename", &slug_archive.read_open_filename },
	{ "archive_read_open_memory", &slug_archive.read_open_memory },
	{ "archive_read_next_header", &slug_archive.read_next_header },
	{ "archive_read_data_block", &slug_archive.read_data_block },
	{ "archive_read_free", &slug_archive.read_free },
	{ "archive_entry_pathname", &slug_archive.entry_pathname },
	{ "archive_entry_filetype", &slug_archive.entry_filetype },
	{ "archive_entry_size", &slug_archive.entry_size },
};

int slug_archive_load(void)
{
	return dl_load(&handle, SLUG_ARCHIVE_SONAME, syms, ARRAY_SIZE(syms));
}
