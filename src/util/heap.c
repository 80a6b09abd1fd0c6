/* SPDX-License-Identifier: MIT */
/*
 * Fewer page faults for the heap. A small push on git.git resolves ~4 MB
 * of trees and blobs through delta chains, each into a fresh buffer the
 * object cache keeps: ~1,000 first-touch page faults of 4 KiB, half the
 * process's faults and, on a virtual machine where a fault exits to the
 * hypervisor, about as much time as the scan itself. Asking for
 * transparent huge pages on the heap (Debian's default THP mode is
 * "madvise": nothing is huge unless asked) makes that a few faults of 2
 * MiB; keeping large blocks on the heap instead of a fresh mmap each
 * (which faults again every time) and not trimming it back between
 * objects does the rest. glibc's own tunable (glibc.malloc.hugetlb=1)
 * does the same, but only from the environment before start-up.
 *
 * Only the main heap's first pad is advised, which is what a small push
 * lives in. Two things kept it in 4 KiB pages all the same, until
 * 2026-12-03: the block that grew the heap was 2 MiB, so glibc wrote the
 * new top chunk's header inside the first huge-aligned stretch before
 * the advice (one 4 KiB page there, and the kernel fills the rest of
 * that stretch with 4 KiB pages too); and allocations start where the
 * break happened to be, in a head of up to 2 MiB below the first
 * boundary, which cannot be huge and is all a small push needs (~270
 * faults of ~12 us each on a VM, a tenth of the push). Now a small block
 * grows the heap, a spacer that is never touched fills the head, and the
 * first huge page is written at once (a read would map the shared zero
 * page, which a later write splits into 4 KiB pages).
 *
 * Advising the walker threads' arenas as well made a long history scan
 * (git.git HEAD~3000..HEAD) spend 25-60% more user time: arenas grow and
 * shrink all the time, and huge pages are split and zeroed again each
 * time.
 *
 * Everything here is advice: a kernel without THP, or another libc,
 * leaves the heap as it was.
 *
 * huge_alloc() is for a buffer that lives as long as its owner and is
 * reused in place (the object cache's ring): its own mapping, advised
 * for huge pages at once, never shrunk, so none of the above applies.
 */
/* madvise(), sbrk() and MADV_HUGEPAGE are not POSIX. */
#define _DEFAULT_SOURCE
#include "slugguard/common.h"

#include <stdint.h>

#if defined(__GLIBC__) && defined(__linux__) && UINTPTR_MAX > 0xffffffffu
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define HUGE_SZ ((uintptr_t)2 << 20)
#define TOP_PAD (16 << 20)

static void advise(uintptr_t lo, uintptr_t hi)
{
	lo = (lo + HUGE_SZ - 1) & ~(HUGE_SZ - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

/* Never freed: it holds the head below the first huge boundary. */
static void *head_spacer;

/*
 * Make the next allocations start at the first huge boundary above top
 * (the start of the top chunk, which reaches hi): a block from top to
 * just below the boundary, then the boundary's page written.
 */
static void skip_head(uintptr_t top, uintptr_t hi)
{
	uintptr_t boundary = (top + HUGE_SZ - 1) & ~(HUGE_SZ - 1);
	/* a chunk's header: its size word, and the previous size word */
	const size_t header = 2 * sizeof(size_t);
	void *p;

	if (boundary - top <= 2 * header || boundary + HUGE_SZ > hi)
		return;
	p = malloc(boundary - top - header);
	if ((uintptr_t)p != top) { /* not glibc's layout after all */
		free(p);
		return;
	}
	head_spacer = p;
	*(volatile char *)boundary = 0;
}

void heap_tune(void)
{
	/* volatile: a malloc() freed unused may be compiled away. */
	void *volatile grow;
	uintptr_t main_lo, main_hi, top;

	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, TOP_PAD);
	main_lo = (uintptr_t)sbrk(0);
	/*
	 * Grow the main heap now (by the pad), then advise that much. The
	 * block is small, so that the header glibc writes after it most
	 * likely stays below the first boundary, and larger than what the
	 * tcache and fast bins keep, so that freed it merges back into the
	 * top chunk, which then starts where it did.
	 */
	grow = malloc(2048);
	top = (uintptr_t)grow;
	free(grow);
	main_hi = (uintptr_t)sbrk(0);
	if (top && main_hi != (uintptr_t)-1 && main_hi > main_lo) {
		advise(main_lo, main_hi);
		skip_head(top, main_hi);
	}
}

void *huge_alloc(size_t n)
{
	struct rlimit rl;
	void *p;

	/*
	 * Reserved whole and at once: under an address-space limit, more
	 * than a sixteenth of it would starve what maps later (Hyperscan,
	 * thread stacks) where a growing heap would not have.
	 */
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    n > rl.rlim_cur / 16)
		return NULL;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	advise((uintptr_t)p, (uintptr_t)p + n);
	return p;
}

void huge_free(void *p, size_t n)
{
	if (p)
		munmap(p, n);
}

#else
void heap_tune(void)
{
}

void *huge_alloc(size_t n)
{
	return calloc(1, n);
}

void huge_free(void *p, size_t n)
{
	(void)n;
	free(p);
}
#endif
