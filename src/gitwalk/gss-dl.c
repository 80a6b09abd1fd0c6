/* SPDX-License-Identifier: MIT */
/*
 * GSSAPI on first use. The static libgit2 calls eight gss_* functions
 * and reads one OID, for HTTP "Negotiate" (Kerberos) authentication only.
 * Linking libgssapi_krb5 for them loaded it and six more shared objects (krb5,
 * k5crypto, com_err, krb5support, keyutils, resolv) at every start of
 * every command: about 3 ms of CPU, a tenth of a small pre-push scan
 * that never speaks HTTP. These definitions satisfy libgit2's references
 * and load the real library the first time one is called; a process
 * that never authenticates by Negotiate never loads it.
 *
 * Built and linked only with the static libgit2 (Makefile: STATIC_OK),
 * and kept out of libslugguard.a so that the link puts it after
 * libgit2.a; a shared libgit2 brings its own GSSAPI. The functions keep
 * GSSAPI's own signatures and status codes (this is its ABI, not ours).
 * Without the library every call fails with GSS_S_FAILURE, which
 * libgit2 takes as "Negotiate unavailable" and tries the next scheme.
 */
#include "slugguard/common.h"

#include <gssapi/gssapi.h>

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* MIT Kerberos' soname on Debian (libgssapi-krb5-2). */
#define GSS_SONAME "libgssapi_krb5.so.2"

static struct {
	__typeof__(gss_delete_sec_context) *delete_sec_context;
	__typeof__(gss_display_status) *display_status;
	__typeof__(gss_import_name) *import_name;
	__typeof__(gss_indicate_mechs) *indicate_mechs;
	__typeof__(gss_init_sec_context) *init_sec_context;
	__typeof__(gss_release_buffer) *release_buffer;
	__typeof__(gss_release_name) *release_name;
	__typeof__(gss_release_oid_set) *release_oid_set;
} real;

/*
 * The one data symbol libgit2 takes from GSSAPI: the host-based service
 * name type, {iso(1) member-body(2) US(840) mit(113554) infosys(1)
 * gssapi(2) generic(1) service_name(4)} (RFC 2744). GSSAPI compares name
 * types by value, so ours serves as well as the library's.
 */
static unsigned char hostbased_der[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
					 0x12, 0x01, 0x02, 0x01, 0x04 };
static gss_OID_desc hostbased = { sizeof(hostbased_der), hostbased_der };
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;

static int sym(void *h, const char *name, void *slot)
{
	void *p = dlsym(h, name);

	if (!p)
		return -1;
	/* POSIX: a data pointer from dlsym() holds the function's bits */
	memcpy(slot, &p, sizeof(p));
	return 0;
}

static void load(void)
{
	void *h = dlopen(GSS_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
	if (sym(h, "gss_delete_sec_context", &real.delete_sec_context) ||
	    sym(h, "gss_display_status", &real.display_status) ||
	    sym(h, "gss_import_name", &real.import_name) ||
	    sym(h, "gss_indicate_mechs", &real.indicate_mechs) ||
	    sym(h, "gss_init_sec_context", &real.init_sec_context) ||
	    sym(h, "gss_release_buffer", &real.release_buffer) ||
	    sym(h, "gss_release_name", &real.release_name) ||
	    sym(h, "gss_release_oid_set", &real.release_oid_set)) {
		memset(&real, 0, sizeof(real));
		dlclose(h);
		return;
	}
	loaded = 1; /* stays loaded for the life of the process */
}

/* Load once; false (and *minor cleared) when GSSAPI is not there. */
static int ready(OM_uint32 *minor)
{
	pthread_once(&once, load);
	if (!loaded && minor)
		*minor = 0;
	return loaded;
}

OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *ctx,
				 gss_buffer_t out)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.delete_sec_context(minor, ctx, out);
}

OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type,
			     gss_OID mech, OM_uint32 *msg_ctx, gss_buffer_t out)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.display_status(minor, status, type, mech, msg_ctx, out);
}

OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_t in, gss_OID type,
			  gss_name_t *out)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.import_name(minor, in, type, out);
}

OM_uint32 gss_indicate_mechs(OM_uint32 *minor, gss_OID_set *set)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.indicate_mechs(minor, set);
}

OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred,
			       gss_ctx_id_t *ctx, gss_name_t target,
			       gss_OID mech, OM_uint32 req_flags,
			       OM_uint32 time_req,
			       gss_channel_bindings_t bindings, gss_buffer_t in,
			       gss_OID *actual_mech, gss_buffer_t out,
			       OM_uint32 *ret_flags, OM_uint32 *time_rec)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.init_sec_context(minor, cred, ctx, target, mech, req_flags,
				     time_req, bindings, in, actual_mech, out,
				     ret_flags, time_rec);
}

OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_t buf)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.release_buffer(minor, buf);
}

OM_uint32 gss_release_name(OM_uint32 *minor, gss_name_t *name)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.release_name(minor, name);
}

OM_uint32 gss_release_oid_set(OM_uint32 *minor, gss_OID_set *set)
{
	if (!ready(minor))
		return GSS_S_FAILURE;
	return real.release_oid_set(minor, set);
}
