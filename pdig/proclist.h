/* The state before the first event: the command and its ancestors (and,
 * for a new ring consumer, the traced tree as it is now). */
#ifndef PD_PROCLIST_H
#define PD_PROCLIST_H

#include <stdint.h>
#include <sys/types.h>

struct shm_scap_writer;
struct shm_ring_prod;
struct pd_snapshot;

/* Reads machine info, the process list (the root's ancestors up to init,
 * and the root), their open fds, users and groups: 0 or a negative errno. */
int pd_snapshot_take(struct pd_snapshot **s, pid_t root);
/* The same with the traced tree as it is now in place of the root: tids in
 * the order given (main threads before their threads), fds of main threads;
 * ancestors from anc up (0: pdig's, for the command it runs; pdig -p: the
 * parent of the process attached to). */
int pd_snapshot_take_tids(struct pd_snapshot **s, const pid_t *tids, size_t n, pid_t anc);
void pd_snapshot_free(struct pd_snapshot *s);
/* As the metadata blocks of a capture (before its first event). */
int pd_snapshot_write(const struct pd_snapshot *s, struct shm_scap_writer *w);
/* As metadata records of the ring, in order with the events that follow.
 * 0, or the ring's error for a record it refused (dropped and counted by
 * the ring). *lost: entries too big for any record (not sent). */
int pd_snapshot_send(const struct pd_snapshot *s, struct shm_ring_prod *ring, uint64_t *lost);

/* take + write + free, with a message unless quiet. */
int pd_proclist_write(struct shm_scap_writer *w, pid_t root, int quiet);

#endif
