/* SPDX-License-Identifier: MIT */
/* Private to src/sign/. */
#ifndef SLUGGUARD_SIGN_INTERNAL_H
#define SLUGGUARD_SIGN_INTERNAL_H

/* Store "<what>: <first OpenSSL error>" and drain the queue; ERR_FAIL. */
int sign_error_ssl(const char *what);

/* Lowercase hex of md[0..n) into hex (2n + 1 bytes, NUL-terminated). */
void sign_to_hex(char *hex, const unsigned char *md, size_t n);

#endif
