/* SPDX-License-Identifier: MIT */
/*
 * libarchive, loaded on first use. libarchive and the ten libraries it
 * pulls in (liblzma, libzstd, libxml2, ICU, ...) cost every process
 * start-up about 5 ms, and only building a slug needs them: the git hooks,
 * which run on every push, must not pay for them. So src/slug/
 * (libarchive's only user) dlopen()s it when the first slug is packed,
 * and the archive calls below go through a table, as src/heroku does for
 * libcurl. Include this instead of <archive.h> and <archive_entry.h>.
 */
#ifndef SLUGGUARD_SLUG_ARCHIVE_DL_H
#define SLUGGUARD_SLUG_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

struct slug_archive_api {
	const char *(*version_string)(void);
	struct archive *(*write_new)(void);
	int (*write_set_format_pax_restricted)(struct archive *);
	int (*write_add_filter_none)(struct archive *);
	int (*write_open)(struct archive *, void *, archive_open_callback *,
			  archive_write_callback *, archive_close_callback *);
	int (*write_header)(struct archive *, struct archive_entry *);
	la_ssize_t (*write_data)(struct archive *, const void *, size_t);
	int (*write_close)(struct archive *);
	int (*write_free)(struct archive *);
	const char *(*error_string)(struct archive *);
	void (*set_error)(struct archive *, int, const char *, ...)
		SG_PRINTF(3, 4);
	struct archive_entry *(*entry_new)(void);
	struct archive_entry *(*entry_clear)(struct archive_entry *);
	void (*entry_free)(struct archive_entry *);
	void (*entry_copy_pathname)(struct archive_entry *, const char *);
	void (*entry_set_mode)(struct archive_entry *, mode_t);
	void (*entry_set_uid)(struct archive_entry *, la_int64_t);
	void (*entry_set_gid)(struct archive_entry *, la_int64_t);
	void (*entry_set_mtime)(struct archive_entry *, time_t, long);
	void (*entry_set_size)(struct archive_entry *, la_int64_t);
	void (*entry_set_symlink)(struct archive_entry *, const char *);
	/* reading, for the slug check (check.c) */
	struct archive *(*read_new)(void);
	int (*read_support_filter_gzip)(struct archive *);
	int (*read_support_format_tar)(struct archive *);
	int (*read_support_format_raw)(struct archive *);
	int (*read_open_filename)(struct archive *, const char *, size_t);
	int (*read_open_memory)(struct archive *, const void *, size_t);
	int (*read_next_header)(struct archive *, struct archive_entry **);
	int (*read_data_block)(struct archive *, const void **, size_t *,
			       la_int64_t *);
	int (*read_free)(struct archive *);
	const char *(*entry_pathname)(struct archive_entry *);
	mode_t (*entry_filetype)(struct archive_entry *);
	la_int64_t (*entry_size)(struct archive_entry *);
};

extern struct slug_archive_api slug_archive;

/*
 * dlopen libarchive (once) and fill slug_archive. Returns 0 or ERR_FAIL
 * "cannot load libarchive.so.13: <dlerror>".
 */
int slug_archive_load(void);

#define archive_version_string slug_archive.version_string
#define archive_write_new slug_archive.write_new
#define archive_write_set_format_pax_restricted \
	slug_archive.write_set_format_pax_restricted
#define archive_write_add_filter_none slug_archive.write_add_filter_none
#define archive_write_open slug_archive.write_open
#define archive_write_header slug_archive.write_header
#define archive_write_data slug_archive.write_data
#define archive_write_close slug_archive.write_close
#define archive_write_free slug_archive.write_free
#define archive_error_string slug_archive.error_string
#define archive_set_error slug_archive.set_error
#define archive_entry_new slug_archive.entry_new
#define archive_entry_clear slug_archive.entry_clear
#define archive_entry_free slug_archive.entry_free
#define archive_entry_copy_pathname slug_archive.entry_copy_pathname
#define archive_entry_set_mode slug_archive.entry_set_mode
#define archive_entry_set_uid slug_archive.entry_set_uid
#define archive_entry_set_gid slug_archive.entry_set_gid
#define archive_entry_set_mtime slug_archive.entry_set_mtime
#define archive_entry_set_size slug_archive.entry_set_size
#define archive_entry_set_symlink slug_archive.entry_set_symlink
#define archive_read_new slug_archive.read_new
#define archive_read_support_filter_gzip slug_archive.read_support_filter_gzip
#define archive_read_support_format_tar slug_archive.read_support_format_tar
#define archive_read_support_format_raw slug_archive.read_support_format_raw
#define archive_read_open_filename slug_archive.read_open_filename
#define archive_read_open_memory slug_archive.read_open_memory
#define archive_read_next_header slug_archive.read_next_header
#define archive_read_data_block slug_archive.read_data_block
#define archive_read_free slug_archive.read_free
#define archive_entry_pathname slug_archive.entry_pathname
#define archive_entry_filetype slug_archive.entry_filetype
#define archive_entry_size slug_archive.entry_size

#endif
