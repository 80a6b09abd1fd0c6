/* SPDX-License-Identifier: MIT */
/*
 * timeit [-m] [-i FILE] N CMD [ARG...]: run CMD N times and print the
 * median wall time in milliseconds with one decimal ("23.4"); with -m
 * also the median peak resident memory of a run in MiB ("23.4 31.2",
 * the child's own maximum as wait4() reports it). Built and used by
 * bench/lib.sh's median_ms. A `date +%s%N` on each side of the command,
 * as the shell can do it, adds two process spawns (~7 ms here) to every
 * figure, too much beside a 30 ms target; fork and execvp from here cost
 * well under a millisecond.
 *
 * CMD is exec'd with argv as given, no shell. Its stdout and stderr go to
 * /dev/null, its stdin comes from FILE (reopened for every run) or from
 * /dev/null. Its exit status is not judged (a scan that finds something
 * still counts), but a command that cannot be run at all is: exit 2.
 */
/* wait4() (BSD, in every libc we build on): a run's own peak memory,
 * which getrusage(RUSAGE_CHILDREN) only gives as a maximum over all. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 100000

static const char usage[] = "usage: timeit [-m] [-i FILE] N CMD [ARG...]\n";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* In the child: stdin from in, stdout and stderr to /dev/null. */
static int redirect(const char *in)
{
	int null = open("/dev/null", O_RDWR);
	int fd = in ? open(in, O_RDONLY) : null;

	if (null < 0 || fd < 0)
		return -1;
	if (dup2(fd, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -1;
	if (fd > 2)
		close(fd);
	if (null > 2 && null != fd)
		close(null);
	return 0;
}

/*
 * Run argv once and set *out to its wall time. A child that cannot exec
 * sends errno back through a close-on-exec pipe (git's run-command does
 * the same): a successful exec closes the pipe unwritten.
 */
static int run_once(double *out, double *mib, char **argv, const char *in)
{
	struct rusage ru;
	int fds[2] = { -1, -1 };
	int err = 0, status = 0;
	double t0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		perror("timeit: pipe");
		return -1;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		close(fds[0]);
		if (!redirect(in))
			execvp(argv[0], argv);
		err = errno;
		if (write(fds[1], &err, sizeof(err)) < 0)
			_exit(126); /* the parent can only see a failed run */
		_exit(127);
	}
	close(fds[1]);
	do {
		n = read(fds[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("timeit: wait4");
			return -1;
		}
	}
	*out = now_ms() - t0;
	*mib = (double)ru.ru_maxrss / 1024; /* KiB on Linux */
	if (n == (ssize_t)sizeof(err)) {
		fprintf(stderr, "timeit: cannot run '%s'%s%s: %s\n", argv[0],
			in ? " with stdin from " : "", in ? in : "",
			strerror(err));
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *in = NULL;
	double *ms = NULL, *mib = NULL, median;
	int mem = 0;
	char *end = NULL;
	long n;
	int i = 1;

	if (argc > i && !strcmp(argv[i], "-m")) {
		mem = 1;
		i++;
	}
	if (argc > i + 1 && !strcmp(argv[i], "-i")) {
		in = argv[i + 1];
		i += 2;
	}
	if (argc - i < 2) {
		fputs(usage, stderr);
		return 2;
	}
	errno = 0;
	n = strtol(argv[i], &end, 10);
	if (errno || end == argv[i] || *end || n < 1 || n > MAX_RUNS) {
		fprintf(stderr, "timeit: N must be 1 to %d, not '%s'\n",
			MAX_RUNS, argv[i]);
		return 2;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	mib = calloc((size_t)n, sizeof(*mib));
	if (!ms || !mib) {
		perror("timeit");
		free(ms);
		free(mib);
		return 2;
	}
	for (long r = 0; r < n; r++) {
		if (run_once(&ms[r], &mib[r], argv + i + 1, in) < 0) {
			free(ms);
			free(mib);
			return 2;
		}
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	qsort(mib, (size_t)n, sizeof(*mib), cmp_double);
	median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
	if (mem)
		printf("%.1f %.1f\n", median,
		       n % 2 ? mib[n / 2] : (mib[n / 2 - 1] + mib[n / 2]) / 2);
	else
		printf("%.1f\n", median);
	free(ms);
	free(mib);
	return 0;
}
