/* The state before the first event: the command and its ancestors. */
#ifndef PD_PROCLIST_H
#define PD_PROCLIST_H

#include <sys/types.h>

struct shm_scap_writer;

/* Writes machine info, the process list (the root's ancestors up to init,
 * and the root), their open fds, users and groups: 0 or a negative errno. */
int pd_proclist_write(struct shm_scap_writer *w, pid_t root, int quiet);

#endif
