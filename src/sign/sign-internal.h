/* SPDX-License-Identifier: MIT */
/* Private to src/sign/. */
#ifndef SLUGGUARD_SIGN_INTERNAL_H
#define SLUGGUARD_SIGN_INTERNAL_H

/* Store "<what>: <first OpenSSL error>" and drain the queue; ERR_FAIL. */
int sign_error_ssl(const char *what);

#endif
