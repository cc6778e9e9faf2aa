/*
 * A small, realistic capture shared by the scap tests: bash (pid 100) clones
 * a child (pid 4242) that execs cat, opens and reads /etc/passwd, connects to
 * 127.0.0.1:80, writes to its terminal and exits, all as uid 4711 ("alice",
 * a name only the capture's user list knows). The metadata tables are
 * exported so tests can compare what a reader returns field by field.
 */
#ifndef SCAP_SAMPLE_H
#define SCAP_SAMPLE_H

#include "shm_scap.h"

#define SAMPLE_BASH_PID 100
#define SAMPLE_CHILD_PID 4242

extern const struct shm_scap_machine sample_machine;
extern const struct shm_scap_proc sample_procs[];
extern const size_t sample_nprocs;
extern const struct shm_scap_fd sample_fds[];   /* of SAMPLE_BASH_PID */
extern const size_t sample_nfds;
extern const struct shm_scap_user sample_users[];
extern const size_t sample_nusers;
extern const struct shm_scap_group sample_groups[];
extern const size_t sample_ngroups;
extern const struct shm_scap_iface sample_ifaces[];
extern const size_t sample_nifaces;

#define SAMPLE_LARGE 1 /* add a large-payload container event (EV_V2_LARGE) */
#define SAMPLE_EVF 2   /* add an event with flags (EVF_V2); sysdig -w drops it,
			* it is flagged state-only */
#define SAMPLE_SPLIT_PL 4 /* one process-list block per thread instead of one */

/* Called for each event written, with exactly what was written. */
typedef void (*sample_event_cb)(void *arg, uint16_t cpuid, uint32_t flags,
				const void *evt, uint32_t len);

/* Writes the metadata and the events. Returns the number of events written,
 * or a negative errno (the reason in shm_scap_writer_error). */
int sample_write(struct shm_scap_writer *w, int extras, sample_event_cb cb, void *arg);

/* The same, to a new file; err gets the reason of a failure. */
int sample_write_file(const char *path, int extras, char *err, size_t errlen);

#endif
