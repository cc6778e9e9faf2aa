/* Credential calls that keep the ids the program has (the real uid and gid
 * as effective ones), so any user may run it:
 *   cred_calls native   setreuid(-1, uid), setregid(-1, gid) (x86_64 113,
 *                       114), the raw calls, not libc's (no setxid broadcast)
 *   cred_calls int80    through the 32-bit entry (int 0x80): setuid32(uid),
 *                       setresuid32(-1, uid, -1), setreuid32(-1, uid),
 *                       setgid32(gid), setresgid32(-1, gid, -1),
 *                       setregid32(-1, gid), then getuid32() (only -a traces
 *                       it) and, when uid fits in 16 bits, the 16-bit
 *                       setuid(0x10000 | uid) and setresuid(0xffff, uid,
 *                       0x3ffff): the kernel reads the low 16 bits, 0xffff
 *                       meaning -1
 *   cred_calls fcntl64  i386 libc's fcntl: fcntl64(1, F_DUPFD, 10), then
 *                       F_GETFD of the new fd and close, through int 0x80
 * Prints "ok" when every call returned what it should. Integer arguments
 * only: no pointer has to lie below 4 GiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* i386 syscall numbers */
#define NR32_CLOSE 6
#define NR32_SETUID 23
#define NR32_FCNTL64 221
#define NR32_SETRESUID 164
#define NR32_GETUID32 199
#define NR32_SETREUID32 203
#define NR32_SETREGID32 204
#define NR32_SETRESUID32 208
#define NR32_SETRESGID32 210
#define NR32_SETUID32 213
#define NR32_SETGID32 214

static long int80(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

static int bad;

static void check(const char *what, long got, long want)
{
	if (got != want) {
		printf("%s: %ld, not %ld\n", what, got, want);
		bad = 1;
	}
}

int main(int argc, char **argv)
{
	long uid = (long)getuid(), gid = (long)getgid();
	if (argc == 2 && strcmp(argv[1], "native") == 0) {
		check("setreuid", syscall(SYS_setreuid, -1, uid), 0);
		check("setregid", syscall(SYS_setregid, -1, gid), 0);
	} else if (argc == 2 && strcmp(argv[1], "int80") == 0) {
		long m1 = 0xffffffffL; /* -1 as a 32-bit id */
		check("setuid32", int80(NR32_SETUID32, uid, 0, 0), 0);
		check("setresuid32", int80(NR32_SETRESUID32, m1, uid, m1), 0);
		check("setreuid32", int80(NR32_SETREUID32, m1, uid, 0), 0);
		check("setgid32", int80(NR32_SETGID32, gid, 0, 0), 0);
		check("setresgid32", int80(NR32_SETRESGID32, m1, gid, m1), 0);
		check("setregid32", int80(NR32_SETREGID32, m1, gid, 0), 0);
		check("getuid32", int80(NR32_GETUID32, 0, 0, 0), uid);
		/* the 16-bit calls: the kernel reads the low 16 bits (the upper
		 * ones set here must not show in the events) and 0xffff is -1 */
		if (uid < 0xffff) {
			check("setuid (16-bit)", int80(NR32_SETUID, 0x10000 | uid, 0, 0), 0);
			check("setresuid (16-bit)", int80(NR32_SETRESUID, 0xffff, uid, 0x3ffff), 0);
		}
	} else if (argc == 2 && strcmp(argv[1], "fcntl64") == 0) {
		/* i386 libc's fcntl: F_DUPFD stops (it makes an fd), F_GETFD not */
		long fd = int80(NR32_FCNTL64, 1, 0 /* F_DUPFD */, 10);
		check("fcntl64 F_DUPFD", fd >= 10, 1);
		check("fcntl64 F_GETFD", int80(NR32_FCNTL64, fd, 1 /* F_GETFD */, 0) >= 0, 1);
		check("close", int80(NR32_CLOSE, fd, 0, 0), 0);
	} else {
		fprintf(stderr, "usage: cred_calls native|int80|fcntl64\n");
		return 2;
	}
	if (!bad)
		printf("ok\n");
	return bad;
}
