/* Installs its own seccomp filter: ERRNO for uname, TRACE (no tracer of its
 * own) for getppid. Natively: EPERM and ENOSYS; pdig must not change that. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(uname), 0);
	seccomp_rule_add(ctx, SCMP_ACT_TRACE(42), SCMP_SYS(getppid), 0);
	seccomp_rule_add(ctx, SCMP_ACT_TRACE(43), SCMP_SYS(mkdir), 0);
	if (seccomp_load(ctx) < 0) {
		printf("cannot load\n");
		return 1;
	}
	struct utsname u;
	int r = uname(&u);
	printf("uname: %d %s\n", r, r < 0 ? strerror(errno) : "");
	long p = syscall(SYS_getppid);
	printf("getppid: %ld %s\n", p < 0 ? -1L : 0L, p < 0 ? strerror(errno) : "");
	r = mkdir("/nonexistent-pdig-dir/x", 0700);
	printf("mkdir: %d %s\n", r, r < 0 ? strerror(errno) : "");
	return 0;
}
