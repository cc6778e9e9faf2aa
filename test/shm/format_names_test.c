/* Our name tables against the libraries sysdig itself uses: syscall names
 * against libscap's syscall table (PPM_SC_*), so that a driver update that
 * adds or moves syscall codes cannot slip by. */
#include <stdio.h>
#include <string.h>

#include "shm_format.h"
#include "userspace/libscap/scap.h"

int main(void)
{
	const struct ppm_syscall_desc *t = scap_get_syscall_info_table();
	int failures = 0;

	for (unsigned i = 0; i < PPM_SC_MAX; i++) {
		const char *ours = shm_fmt_syscall_name((uint16_t)i);
		const char *theirs = t[i].name ? t[i].name : "";
		if (!ours || strcmp(ours, theirs) != 0) {
			printf("MISMATCH: syscall code %u: ours %s, libscap %s\n", i,
			       ours ? ours : "(none)", theirs);
			failures++;
		}
	}
	if (shm_fmt_syscall_name(PPM_SC_MAX) != NULL) {
		printf("MISMATCH: we name syscall code %u, libscap stops at %u\n", PPM_SC_MAX,
		       PPM_SC_MAX - 1);
		failures++;
	}
	if (failures)
		return 1;
	printf("PASS: %u syscall names match libscap's\n", PPM_SC_MAX);
	return 0;
}
