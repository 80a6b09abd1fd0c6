/* SPDX-License-Identifier: MIT */
/*
 * libssh2 on first use. The static libgit2 calls these 37 libssh2
 * functions, for ssh:// remotes only. Linked statically, libssh2 brought
 * OpenSSL's libcrypto with it (340 KB of tables relocated at every start:
 * ~90 page faults and ~1.5 ms of every process, a tenth of a small
 * pre-push scan that never speaks SSH). These definitions satisfy
 * libgit2's references and load the real library (libssh2.so.1, which
 * brings its own libcrypto) the first time a session is made; a process
 * that never fetches over SSH never loads it.
 *
 * Built and linked only with the static libgit2 (Makefile: STATIC_OK),
 * kept out of libslugguard.a so that the link puts it after libgit2.a,
 * as src/gitwalk/gss-dl.c is (so it cannot call into libslugguard.a,
 * util's dl_load() included: the archive is searched before it). The
 * functions keep libssh2's own signatures (its ABI, not ours). Without
 * the library the session, agent and known-hosts constructors return
 * NULL, which libgit2 reports as "failed to initialize SSH session"; the
 * rest can only be reached with an object from a loaded library, and
 * fail with LIBSSH2_ERROR_ALLOC all the same if not.
 */
#include "slugguard/common.h"

#include <libssh2.h>

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* Debian's soname (libssh2-1). */
#define SSH2_SONAME "libssh2.so.1"

static struct {
	__typeof__(libssh2_agent_connect) *agent_connect;
	__typeof__(libssh2_agent_disconnect) *agent_disconnect;
	__typeof__(libssh2_agent_free) *agent_free;
	__typeof__(libssh2_agent_get_identity) *agent_get_identity;
	__typeof__(libssh2_agent_init) *agent_init;
	__typeof__(libssh2_agent_list_identities) *agent_list_identities;
	__typeof__(libssh2_agent_userauth) *agent_userauth;
	__typeof__(libssh2_channel_close) *channel_close;
	__typeof__(libssh2_channel_free) *channel_free;
	__typeof__(libssh2_channel_open_ex) *channel_open_ex;
	__typeof__(libssh2_channel_process_startup) *channel_process_startup;
	__typeof__(libssh2_channel_read_ex) *channel_read_ex;
	__typeof__(libssh2_channel_set_blocking) *channel_set_blocking;
	__typeof__(libssh2_channel_write_ex) *channel_write_ex;
	__typeof__(libssh2_exit) *exit;
	__typeof__(libssh2_hostkey_hash) *hostkey_hash;
	__typeof__(libssh2_init) *init;
	__typeof__(libssh2_knownhost_checkp) *knownhost_checkp;
	__typeof__(libssh2_knownhost_free) *knownhost_free;
	__typeof__(libssh2_knownhost_init) *knownhost_init;
	__typeof__(libssh2_knownhost_readfile) *knownhost_readfile;
	__typeof__(libssh2_session_abstract) *session_abstract;
	__typeof__(libssh2_session_disconnect_ex) *session_disconnect_ex;
	__typeof__(libssh2_session_free) *session_free;
	__typeof__(libssh2_session_handshake) *session_handshake;
	__typeof__(libssh2_session_hostkey) *session_hostkey;
	__typeof__(libssh2_session_init_ex) *session_init_ex;
	__typeof__(libssh2_session_last_error) *session_last_error;
	__typeof__(libssh2_session_method_pref) *session_method_pref;
	__typeof__(libssh2_session_set_blocking) *session_set_blocking;
	__typeof__(libssh2_userauth_authenticated) *userauth_authenticated;
	__typeof__(libssh2_userauth_keyboard_interactive_ex)
		*userauth_keyboard_interactive_ex;
	__typeof__(libssh2_userauth_list) *userauth_list;
	__typeof__(libssh2_userauth_password_ex) *userauth_password_ex;
	__typeof__(libssh2_userauth_publickey) *userauth_publickey;
	__typeof__(libssh2_userauth_publickey_fromfile_ex)
		*userauth_publickey_fromfile_ex;
	__typeof__(libssh2_userauth_publickey_frommemory)
		*userauth_publickey_frommemory;
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static int init_flags;

static void load(void)
{
	static const struct {
		const char *name;
		void *slot;
	} syms[] = {
		{ "libssh2_agent_connect", &real.agent_connect },
		{ "libssh2_agent_disconnect", &real.agent_disconnect },
		{ "libssh2_agent_free", &real.agent_free },
		{ "libssh2_agent_get_identity", &real.agent_get_identity },
		{ "libssh2_agent_init", &real.agent_init },
		{ "libssh2_agent_list_identities",
		  &real.agent_list_identities },
		{ "libssh2_agent_userauth", &real.agent_userauth },
		{ "libssh2_channel_close", &real.channel_close },
		{ "libssh2_channel_free", &real.channel_free },
		{ "libssh2_channel_open_ex", &real.channel_open_ex },
		{ "libssh2_channel_process_startup",
		  &real.channel_process_startup },
		{ "libssh2_channel_read_ex", &real.channel_read_ex },
		{ "libssh2_channel_set_blocking", &real.channel_set_blocking },
		{ "libssh2_channel_write_ex", &real.channel_write_ex },
		{ "libssh2_exit", &real.exit },
		{ "libssh2_hostkey_hash", &real.hostkey_hash },
		{ "libssh2_init", &real.init },
		{ "libssh2_knownhost_checkp", &real.knownhost_checkp },
		{ "libssh2_knownhost_free", &real.knownhost_free },
		{ "libssh2_knownhost_init", &real.knownhost_init },
		{ "libssh2_knownhost_readfile", &real.knownhost_readfile },
		{ "libssh2_session_abstract", &real.session_abstract },
		{ "libssh2_session_disconnect_ex",
		  &real.session_disconnect_ex },
		{ "libssh2_session_free", &real.session_free },
		{ "libssh2_session_handshake", &real.session_handshake },
		{ "libssh2_session_hostkey", &real.session_hostkey },
		{ "libssh2_session_init_ex", &real.session_init_ex },
		{ "libssh2_session_last_error", &real.session_last_error },
		{ "libssh2_session_method_pref", &real.session_method_pref },
		{ "libssh2_session_set_blocking", &real.session_set_blocking },
		{ "libssh2_userauth_authenticated",
		  &real.userauth_authenticated },
		{ "libssh2_userauth_keyboard_interactive_ex",
		  &real.userauth_keyboard_interactive_ex },
		{ "libssh2_userauth_list", &real.userauth_list },
		{ "libssh2_userauth_password_ex", &real.userauth_password_ex },
		{ "libssh2_userauth_publickey", &real.userauth_publickey },
		{ "libssh2_userauth_publickey_fromfile_ex",
		  &real.userauth_publickey_fromfile_ex },
		{ "libssh2_userauth_publickey_frommemory",
		  &real.userauth_publickey_frommemory },
	};
	void *h = dlopen(SSH2_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		void *p = dlsym(h, syms[i].name);

		if (!p) {
			memset(&real, 0, sizeof(real));
			dlclose(h);
			return;
		}
		/* POSIX: dlsym()'s data pointer holds the function's bits */
		memcpy(syms[i].slot, &p, sizeof(p));
	}
	if (real.init(init_flags)) {
		memset(&real, 0, sizeof(real));
		dlclose(h);
		return;
	}
	loaded = 1; /* stays loaded for the life of the process */
}

/* Load once; false when libssh2 is not there. */
static int ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

int libssh2_agent_connect(LIBSSH2_AGENT *agent)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.agent_connect(agent);
}

int libssh2_agent_disconnect(LIBSSH2_AGENT *agent)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.agent_disconnect(agent);
}

void libssh2_agent_free(LIBSSH2_AGENT *agent)
{
	if (!ready())
		return;
	real.agent_free(agent);
}

int libssh2_agent_get_identity(LIBSSH2_AGENT *agent,
			       struct libssh2_agent_publickey **store,
			       struct libssh2_agent_publickey *prev)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.agent_get_identity(agent, store, prev);
}

LIBSSH2_AGENT *libssh2_agent_init(LIBSSH2_SESSION *session)
{
	if (!ready())
		return NULL;
	return real.agent_init(session);
}

int libssh2_agent_list_identities(LIBSSH2_AGENT *agent)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.agent_list_identities(agent);
}

int libssh2_agent_userauth(LIBSSH2_AGENT *agent, const char *username,
			   struct libssh2_agent_publickey *identity)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.agent_userauth(agent, username, identity);
}

int libssh2_channel_close(LIBSSH2_CHANNEL *channel)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.channel_close(channel);
}

int libssh2_channel_free(LIBSSH2_CHANNEL *channel)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.channel_free(channel);
}

LIBSSH2_CHANNEL *
libssh2_channel_open_ex(LIBSSH2_SESSION *session, const char *channel_type,
			unsigned int channel_type_len, unsigned int window_size,
			unsigned int packet_size, const char *message,
			unsigned int message_len)
{
	if (!ready())
		return NULL;
	return real.channel_open_ex(session, channel_type, channel_type_len,
				    window_size, packet_size, message,
				    message_len);
}

int libssh2_channel_process_startup(LIBSSH2_CHANNEL *channel,
				    const char *request,
				    unsigned int request_len,
				    const char *message,
				    unsigned int message_len)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.channel_process_startup(channel, request, request_len,
					    message, message_len);
}

ssize_t libssh2_channel_read_ex(LIBSSH2_CHANNEL *channel, int stream_id,
				char *buf, size_t buflen)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.channel_read_ex(channel, stream_id, buf, buflen);
}

void libssh2_channel_set_blocking(LIBSSH2_CHANNEL *channel, int blocking)
{
	if (!ready())
		return;
	real.channel_set_blocking(channel, blocking);
}

ssize_t libssh2_channel_write_ex(LIBSSH2_CHANNEL *channel, int stream_id,
				 const char *buf, size_t buflen)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.channel_write_ex(channel, stream_id, buf, buflen);
}

void libssh2_exit(void)
{
	/* Never loaded, nothing to end; loaded, it stays for the process. */
	if (loaded)
		real.exit();
}

const char *libssh2_hostkey_hash(LIBSSH2_SESSION *session, int hash_type)
{
	if (!ready())
		return NULL;
	return real.hostkey_hash(session, hash_type);
}

/*
 * libgit2 calls this from git_libgit2_init(), in every process that uses
 * libgit2 at all: the flags are kept and the call made when the library
 * is loaded, so that initialising libgit2 does not load libssh2.
 */
int libssh2_init(int flags)
{
	init_flags = flags;
	return 0;
}

int libssh2_knownhost_checkp(LIBSSH2_KNOWNHOSTS *hosts, const char *host,
			     int port, const char *key, size_t keylen,
			     int typemask, struct libssh2_knownhost **knownhost)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.knownhost_checkp(hosts, host, port, key, keylen, typemask,
				     knownhost);
}

void libssh2_knownhost_free(LIBSSH2_KNOWNHOSTS *hosts)
{
	if (!ready())
		return;
	real.knownhost_free(hosts);
}

LIBSSH2_KNOWNHOSTS *libssh2_knownhost_init(LIBSSH2_SESSION *session)
{
	if (!ready())
		return NULL;
	return real.knownhost_init(session);
}

int libssh2_knownhost_readfile(LIBSSH2_KNOWNHOSTS *hosts, const char *filename,
			       int type)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.knownhost_readfile(hosts, filename, type);
}

void **libssh2_session_abstract(LIBSSH2_SESSION *session)
{
	if (!ready())
		return NULL;
	return real.session_abstract(session);
}

int libssh2_session_disconnect_ex(LIBSSH2_SESSION *session, int reason,
				  const char *description, const char *lang)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.session_disconnect_ex(session, reason, description, lang);
}

int libssh2_session_free(LIBSSH2_SESSION *session)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.session_free(session);
}

int libssh2_session_handshake(LIBSSH2_SESSION *session, libssh2_socket_t sock)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.session_handshake(session, sock);
}

const char *libssh2_session_hostkey(LIBSSH2_SESSION *session, size_t *len,
				    int *type)
{
	if (!ready())
		return NULL;
	return real.session_hostkey(session, len, type);
}

LIBSSH2_SESSION *libssh2_session_init_ex(LIBSSH2_ALLOC_FUNC((*my_alloc)),
					 LIBSSH2_FREE_FUNC((*my_free)),
					 LIBSSH2_REALLOC_FUNC((*my_realloc)),
					 void *abstract)
{
	if (!ready())
		return NULL;
	return real.session_init_ex(my_alloc, my_free, my_realloc, abstract);
}

int libssh2_session_last_error(LIBSSH2_SESSION *session, char **errmsg,
			       int *errmsg_len, int want_buf)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.session_last_error(session, errmsg, errmsg_len, want_buf);
}

int libssh2_session_method_pref(LIBSSH2_SESSION *session, int method_type,
				const char *prefs)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.session_method_pref(session, method_type, prefs);
}

void libssh2_session_set_blocking(LIBSSH2_SESSION *session, int blocking)
{
	if (!ready())
		return;
	real.session_set_blocking(session, blocking);
}

int libssh2_userauth_authenticated(LIBSSH2_SESSION *session)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.userauth_authenticated(session);
}

int libssh2_userauth_keyboard_interactive_ex(
	LIBSSH2_SESSION *session, const char *username,
	unsigned int username_len,
	LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC((*response_callback)))
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.userauth_keyboard_interactive_ex(
		session, username, username_len, response_callback);
}

char *libssh2_userauth_list(LIBSSH2_SESSION *session, const char *username,
			    unsigned int username_len)
{
	if (!ready())
		return NULL;
	return real.userauth_list(session, username, username_len);
}

int libssh2_userauth_password_ex(
	LIBSSH2_SESSION *session, const char *username,
	unsigned int username_len, const char *password,
	unsigned int password_len,
	LIBSSH2_PASSWD_CHANGEREQ_FUNC((*passwd_change_cb)))
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.userauth_password_ex(session, username, username_len,
					 password, password_len,
					 passwd_change_cb);
}

int libssh2_userauth_publickey(
	LIBSSH2_SESSION *session, const char *username,
	const unsigned char *pubkeydata, size_t pubkeydata_len,
	LIBSSH2_USERAUTH_PUBLICKEY_SIGN_FUNC((*sign_callback)), void **abstract)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.userauth_publickey(session, username, pubkeydata,
				       pubkeydata_len, sign_callback, abstract);
}

int libssh2_userauth_publickey_fromfile_ex(LIBSSH2_SESSION *session,
					   const char *username,
					   unsigned int username_len,
					   const char *publickey,
					   const char *privatekey,
					   const char *passphrase)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.userauth_publickey_fromfile_ex(session, username,
						   username_len, publickey,
						   privatekey, passphrase);
}

int libssh2_userauth_publickey_frommemory(
	LIBSSH2_SESSION *session, const char *username, size_t username_len,
	const char *publickeyfiledata, size_t publickeyfiledata_len,
	const char *privatekeyfiledata, size_t privatekeyfiledata_len,
	const char *passphrase)
{
	if (!ready())
		return LIBSSH2_ERROR_ALLOC;
	return real.userauth_publickey_frommemory(
		session, username, username_len, publickeyfiledata,
		publickeyfiledata_len, privatekeyfiledata,
		privatekeyfiledata_len, passphrase);
}
