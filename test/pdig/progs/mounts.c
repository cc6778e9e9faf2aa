/*
 * mounts DIR: mount calls with known arguments, for the mount and umount
 * events (run as root in a private mount namespace: nothing outside it is
 * changed). Prints the result of each call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

static void say(const char *what, int r)
{
	printf("%s %d\n", what, r < 0 ? -errno : r);
}

int main(int argc, char **argv)
{
	char a[4096], b[4096], missing[4096];
	if (argc != 2) {
		fprintf(stderr, "usage: mounts DIR\n");
		return 2;
	}
	snprintf(a, sizeof a, "%s/a", argv[1]);
	snprintf(b, sizeof b, "%s/b", argv[1]);
	snprintf(missing, sizeof missing, "%s/missing", argv[1]);
	mkdir(a, 0755);
	mkdir(b, 0755);
	/* a tmpfs, with the old magic number in the upper half of the flags */
	say("tmpfs", mount("pdigtest", a, "tmpfs", 0xc0ed0000u | MS_NOSUID | MS_NODEV, "size=1m"));
	say("bind", mount(a, b, NULL, MS_BIND | MS_REC, NULL));
	say("remount", mount(NULL, b, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	say("missing", mount("pdigtest", missing, "tmpfs", 0, NULL));
	say("umount_b", umount2(b, MNT_DETACH));
	say("umount_a", umount(a));
	say("umount_missing", umount2(missing, UMOUNT_NOFOLLOW));
	return 0;
}
