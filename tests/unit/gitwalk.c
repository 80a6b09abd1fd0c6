/* SPDX-License-Identifier: MIT */
/* Unit tests for gitwalk: the export never follows a link it meets. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/run.h"
#include "slugguard/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef SLUGGUARD_GSS_SHIM
#include <dlfcn.h>
#include <git2.h>
#include <gssapi/gssapi.h>
#include <libssh2.h>
#include <string.h>
#endif

/* Run git with the given arguments in dir; 0 when it exits 0. */
static int git_in(const char *dir, const char *const *argv)
{
	struct child c = CHILD_INIT;

	strvec_pushl(&c.args, "git", "-c", "user.name=A U Thor", "-c",
		     "user.email=author@example.com", "-c",
		     "init.defaultBranch=main", NULL);
	for (size_t i = 0; argv[i]; i++)
		strvec_push(&c.args, argv[i]);
	c.dir = dir;
	c.out_to_err = true;
	return run_command(&c);
}

/*
 * A clean commit with zz/post-update, exported into a directory that
 * already holds a symlink zz -> ../outside: the export must stop at the
 * link (the class of the hostile-tree bug, without any fsck finding).
 */
static void test_gitwalk_export_no_follow(void **state)
{
	static const char *const init[] = { "init", "-q", "repo", NULL };
	static const char *const add[] = { "add", "-A", NULL };
	static const char *const commit[] = { "commit", "-q", "-m", "x", NULL };
	char dir[] = "/tmp/sg-unit-XXXXXX";
	char hex[GITWALK_HEXSZ + 1];
	struct strbuf sb = STRBUF_INIT, dest = STRBUF_INIT;
	struct gitwalk *w = NULL;

	(void)state;
	assert_int_equal(fs_mkdtemp(dir), 0);
	assert_int_equal(git_in(dir, init), 0);
	strbuf_addf(&sb, "%s/repo/zz", dir);
	assert_int_equal(fs_mkdir_p(sb.buf, 0755), 0);
	strbuf_addstr(&sb, "/post-update");
	assert_int_equal(fs_write_atomic(sb.buf, "#!/bin/sh\n", 10, 0755), 0);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/repo", dir);
	assert_int_equal(git_in(sb.buf, add), 0);
	assert_int_equal(git_in(sb.buf, commit), 0);

	assert_int_equal(gitwalk_open(&w, sb.buf), 0);
	assert_int_equal(gitwalk_resolve_commit(w, "HEAD", hex), 0);
	assert_int_equal(gitwalk_check_tree(w, hex), 0);

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/outside", dir);
	assert_int_equal(fs_mkdir_p(sb.buf, 0755), 0);
	strbuf_addf(&dest, "%s/dest", dir);
	assert_int_equal(fs_mkdir_p(dest.buf, 0755), 0);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/dest/zz", dir);
	assert_int_equal(symlink("../outside", sb.buf), 0);
	assert_true(gitwalk_export(w, hex, dest.buf, NULL, NULL) < 0);
	assert_non_null(strstr(error_last(), "'zz'"));
	error_clear();
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/outside/post-update", dir);
	assert_false(fs_exists(sb.buf));

	/* the same export into a fresh directory works */
	strbuf_reset(&dest);
	strbuf_addf(&dest, "%s/fresh", dir);
	assert_int_equal(gitwalk_export(w, hex, dest.buf, NULL, NULL), 0);
	strbuf_addstr(&dest, "/zz/post-update");
	assert_true(fs_exists(dest.buf));

	gitwalk_free(w);
	assert_int_equal(fs_remove_tree(dir), 0);
	strbuf_release(&sb);
	strbuf_release(&dest);
}

#ifdef SLUGGUARD_GSS_SHIM
#define GSS_SONAME "libgssapi_krb5.so.2"
/*
 * libgit2's GSSAPI calls (src/gitwalk/gss-dl.c): the library is not
 * loaded at start, the first call loads it, and the calls and the OID
 * libgit2 uses reach the real library.
 */
static void test_gitwalk_gss_on_first_use(void **state)
{
	gss_buffer_desc name = { 0, NULL };
	gss_OID_set set = GSS_C_NO_OID_SET;
	gss_name_t n = GSS_C_NO_NAME;
	OM_uint32 minor = 0;
	char service[] = "HTTP@localhost";
	void *h;

	(void)state;
	h = dlopen(GSS_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_null(h);
	assert_int_equal(gss_indicate_mechs(&minor, &set), GSS_S_COMPLETE);
	assert_non_null(set);
	assert_true(set->count >= 1);
	assert_int_equal(gss_release_oid_set(&minor, &set), GSS_S_COMPLETE);
	h = dlopen(GSS_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	dlclose(h);
	name.length = strlen(service);
	name.value = service;
	assert_int_equal(gss_import_name(&minor, &name,
					 GSS_C_NT_HOSTBASED_SERVICE, &n),
			 GSS_S_COMPLETE);
	assert_int_equal(gss_release_name(&minor, &n), GSS_S_COMPLETE);
}

#define SSH2_SONAME "libssh2.so.1"
/*
 * libgit2's libssh2 calls (src/gitwalk/ssh2-dl.c): initialising libgit2
 * (which calls libssh2_init) does not load the library, making a session
 * does, and the calls reach the real library.
 */
static void test_gitwalk_ssh2_on_first_use(void **state)
{
	LIBSSH2_SESSION *s;
	LIBSSH2_KNOWNHOSTS *kh;
	char *msg = NULL;
	void *h;

	(void)state;
	assert_true(git_libgit2_init() >= 1);
	h = dlopen(SSH2_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_null(h);
	s = libssh2_session_init_ex(NULL, NULL, NULL, NULL);
	assert_non_null(s);
	h = dlopen(SSH2_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	dlclose(h);
	/* A fresh session: not authenticated, and no error yet. */
	assert_int_equal(libssh2_userauth_authenticated(s), 0);
	assert_int_equal(libssh2_session_last_error(s, &msg, NULL, 0),
			 LIBSSH2_ERROR_NONE);
	kh = libssh2_knownhost_init(s);
	assert_non_null(kh);
	assert_true(libssh2_knownhost_readfile(kh, "/nonexistent/known_hosts",
					       LIBSSH2_KNOWNHOST_FILE_OPENSSH) <
		    0);
	libssh2_knownhost_free(kh);
	assert_int_equal(libssh2_session_free(s), 0);
	git_libgit2_shutdown();
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gitwalk_export_no_follow),
#ifdef SLUGGUARD_GSS_SHIM
		cmocka_unit_test(test_gitwalk_gss_on_first_use),
		cmocka_unit_test(test_gitwalk_ssh2_on_first_use),
#endif
	};

	return cmocka_run_group_tests_name("gitwalk", tests, NULL, NULL);
}
