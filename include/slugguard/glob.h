/* SPDX-License-Identifier: MIT */
/*
 * The one glob matcher (.slugignore, policy branch patterns): linear in
 * the name times the pattern, whatever the pattern, because patterns come
 * from pushed repositories (a backtracking "*a*a*a*...b" is exponential).
 */
#ifndef SLUGGUARD_GLOB_H
#define SLUGGUARD_GLOB_H

enum glob_flags {
	/*
	 * gitignore style: "*", "?" and "[...]" never match '/'; "**"
	 * matches across '/', and "**" followed by '/' matches zero or more
	 * whole directories (pattern "a", "**", "b"
	 * joined by '/' matches "a/b" and "a/x/y/b").
	 * Without it, fnmatch(3) with no flags: every wildcard matches '/'.
	 */
	GLOB_PATHNAME = 1 << 0,
};

/*
 * Does the whole of name match pat? "*" any run, "?" one byte, "[...]"
 * one byte of a class ("[!...]" or "[^...]" negates, "a-z" ranges, a
 * leading "]" is literal, "[:alpha:]" and the other POSIX names work; an
 * unterminated "[" is a literal '['), "\x" the literal x. Bytes, not
 * characters. Takes O(strlen(name) * strlen(pat)) time, at most.
 */
bool glob_match(const char *pat, const char *name, unsigned flags);

#endif
