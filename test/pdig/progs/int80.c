/* Opens a file and makes a socket through the 32-bit entry (int 0x80):
 * neither may bypass pdig. Built static and non-PIE so the data lies below
 * 4 GiB, where 32-bit pointers reach. */
#include <stdio.h>
static const char path[] = "/etc/hostname";
static unsigned int sock_args[3] = {2 /* AF_INET */, 1 /* SOCK_STREAM */, 0};

static long int80(long nr, long a, long b)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
	return r;
}

int main(void)
{
	long r = int80(5 /* i386 open */, (long)path, 0);
	printf("int80 open: %s\n", r >= 0 ? "ok" : "failed");
	long s = int80(102 /* i386 socketcall */, 1 /* SYS_SOCKET */, (long)sock_args);
	printf("int80 socketcall socket: %s\n", s >= 0 ? "ok" : "failed");
	return r >= 0 && s >= 0 ? 0 : 1;
}
