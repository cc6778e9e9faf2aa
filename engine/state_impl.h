/*
 * What engine/state*.c share, and nothing else includes: the table helpers
 * (state_table.c) and the event parsers per family (state_proc.c,
 * state_file.c, state_net.c) that eng_state_apply (state.c) calls.
 * Not an API: that is eng_state.h.
 */
#ifndef ENG_STATE_IMPL_H
#define ENG_STATE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "eng_state.h"
#include "shm_format.h"

/* state_table.c */
void eng_st_set_str(struct eng_state *st, char **dst, const char *s);
void eng_st_set_buf(struct eng_state *st, char **dst, uint32_t *dlen, const void *s,
		    uint32_t len);
void eng_st_fd_free(struct eng_fd *fd);
void eng_st_fd_release(struct eng_state *st, struct eng_fd *fd);
int eng_st_fd_set_name(struct eng_state *st, struct eng_fd *fd, const char *s);
struct eng_fdtable *eng_st_fdt_new(struct eng_state *st);
void eng_st_fdt_unref(struct eng_state *st, struct eng_fdtable *t);
struct eng_fdtable *eng_st_fdt_copy(struct eng_state *st, const struct eng_fdtable *src);
struct eng_fd *eng_st_fd_add(struct eng_state *st, struct eng_thread *t, int64_t num,
			     uint8_t type, const char *name);
uint64_t eng_st_next_text_gen(void);
void eng_st_thread_free(struct eng_state *st, struct eng_thread *t);
struct eng_thread *eng_st_thread_alloc(struct eng_state *st, int64_t tid);
int eng_st_thread_insert(struct eng_state *st, struct eng_thread *t);
void eng_st_attach_fdtable(struct eng_state *st, struct eng_thread *t);
void eng_st_set_cwd(struct eng_state *st, struct eng_thread *t, const char *base, const char *path);
void eng_st_run_deferred(struct eng_state *st);
void eng_st_defer_fd_removal(struct eng_state *st, struct eng_thread *t, int64_t fd);

/* state_proc.c */
void eng_st_parse_clone_exit(struct eng_state *st, struct eng_event *ev);
int eng_st_is_memfd_path(const char *p);
void eng_st_parse_execve_exit(struct eng_state *st, struct eng_event *ev, int is_execveat);
void eng_st_parse_set_ids(struct eng_state *st, struct eng_event *ev);
/* setsid: the new session id (its result) is the calling thread's, from
 * the exit event on, as libsinsp sets it. */
void eng_st_parse_setsid_exit(struct eng_state *st, struct eng_event *ev);

/* state_compat.c: older clone/fork/vfork/execve exits, by the parsers above */
void eng_st_parse_compat(struct eng_state *st, struct eng_event *ev);
int eng_st_compat_is_clone_exit(uint16_t type);

/* state_file.c */
void eng_st_parse_open_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_add_simple_fd(struct eng_state *st, struct eng_event *ev, int64_t fdn, uint8_t type);
void eng_st_parse_pipe_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_memfd_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_dup_exit(struct eng_state *st, struct eng_event *ev, int cloexec);
void eng_st_parse_close_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_chdir_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_fchdir_exit(struct eng_state *st, struct eng_event *ev);

/* state_net.c */
void eng_st_parse_socket_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_connect_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_connect_enter(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_accept_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_bind_exit(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_dgram_tuple(struct eng_state *st, struct eng_event *ev, const struct shm_evt *te,
			      unsigned i, int incoming);
void eng_st_parse_sendto_enter(struct eng_state *st, struct eng_event *ev);
void eng_st_parse_socketpair_exit(struct eng_state *st, struct eng_event *ev);

#endif
