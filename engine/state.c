/* The state's life cycle and eng_state_apply: pairs an exit with its enter,
 * then hands each event to its family's parser (state_proc.c, state_file.c,
 * state_net.c). See eng_state.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state_impl.h"

/* ---- life cycle ---- */

int eng_state_new(struct eng_state **out)
{
	struct eng_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->dead_tid = st->dead_fd = st->dead_fd2 = -1;
	*out = st;
	return 0;
}

void eng_state_free(struct eng_state *st)
{
	if (!st)
		return;
	eng_st_fdt_unref(st, st->dead_fdt); /* the reference a pending removal holds */
	/* drop fd tables only once every thread has let go */
	for (size_t i = 0; i < st->threads.cap; i++)
		eng_st_thread_free(st, st->threads.slots[i].val);
	eng_map_clear(&st->threads);
	for (size_t i = 0; i < st->users.cap; i++) {
		struct eng_user *u = st->users.slots[i].val;
		if (u) {
			free(u->name);
			free(u->homedir);
			free(u->shell);
			free(u);
		}
	}
	eng_map_clear(&st->users);
	for (size_t i = 0; i < st->groups.cap; i++) {
		struct eng_group *g = st->groups.slots[i].val;
		if (g) {
			free(g->name);
			free(g);
		}
	}
	eng_map_clear(&st->groups);
	while (st->nfd_pool)
		eng_st_fd_free(st->fd_pool[--st->nfd_pool]);
	free(st->local_ip4);
	free(st->hostname);
	eng_containers_free(st->containers);
	free(st);
}

/* ---- event parsers ---- */

static int is_clone_exit(uint16_t type)
{
	switch (type) {
	case SHM_EV_SYSCALL_CLONE_20_X:
	case SHM_EV_SYSCALL_FORK_20_X:
	case SHM_EV_SYSCALL_VFORK_20_X:
	case SHM_EV_SYSCALL_CLONE3_X:
		return 1;
	default:
		return eng_st_compat_is_clone_exit(type); /* older versions (state_compat.c) */
	}
}

/* libsinsp calls an IP socket connected once a read or write on it
 * succeeds (a UDP socket that only uses sendto/recvfrom too). */
static void mark_rw_connected(struct eng_event *ev)
{
	struct eng_fd *fd = ev->fd;
	if (fd && shm_evt_s64(&ev->evt, SHM_P_RES, -1) >= 0 &&
	    (fd->type == SHM_SCAP_FD_IPV4_SOCK || fd->type == SHM_SCAP_FD_IPV6_SOCK))
		fd->connected = 1;
}

void eng_state_apply(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	uint16_t flags = e->info->flags;

	st->seq++;
	if (st->dead_fdt || st->dead_tid >= 0) /* rarely: one call per close or exit */
		eng_st_run_deferred(st);
	ev->thread = NULL;
	ev->fd = ev->evt_fd = NULL;
	ev->latency = 0;
	ev->fd_renamed = 0;
	ev->fdnum = -1;
	ev->enter = NULL;
	if (flags & SHM_EF_SKIPPARSERESET) {
		/* scheduler-like events change nothing; procinfo still names its thread */
		if (e->type == SHM_EV_PROCINFO_E)
			ev->thread = eng_state_thread(st, (int64_t)e->tid);
		else if (e->type == SHM_EV_CONTAINER_E) /* the old container event */
			eng_container_event(st, e);
		return;
	}
	/* container metadata events belong to no thread, whatever their tid */
	if (e->type == SHM_EV_CONTAINER_JSON_E || e->type == SHM_EV_CONTAINER_JSON_2_E ||
	    e->type == SHM_EV_CONTAINER_E) {
		eng_container_event(st, e);
		return;
	}

	struct eng_thread *t = eng_state_thread(st, (int64_t)e->tid);
	if (!t && !is_clone_exit(e->type) && st->threads.len >= ENG_MAX_THREADS) {
		st->threads_refused++;
	} else if (!t && !is_clone_exit(e->type)) {
		/* a thread we never saw start: keep its fds from now on, and let
		 * every field that needs what we missed say "not available" */
		t = eng_st_thread_alloc(st, (int64_t)e->tid);
		if (t) {
			t->placeholder = 1;
			if (eng_st_thread_insert(st, t))
				t = NULL;
			else
				eng_st_attach_fdtable(st, t);
		}
	}
	ev->thread = t;
	if (t) {
		/* only traced threads make events: the entrypoint is the traced
		 * process whose parent never made one (eng_state_is_entrypoint) */
		t->traced = 1;
		if (shm_event_is_enter(e->type)) {
			t->enter_ts = e->ts;
			t->lastevent_fd = -1;
			t->enter_type = e->type;
			t->enter_len = 0;
			if (e->len > t->enter_cap && e->len <= ENG_MAX_ENTER) {
				/* grows rarely: most enter events are a few dozen bytes */
				uint32_t cap = e->len < 256 ? 256 : e->len;
				uint8_t *b = realloc(t->enter, cap);
				if (b) {
					t->enter = b;
					t->enter_cap = cap;
				} else {
					st->alloc_failures++;
				}
			}
			if (e->len <= t->enter_cap) {
				memcpy(t->enter, e->raw, e->len);
				t->enter_len = e->len;
			}
			if ((flags & SHM_EF_USES_FD) && e->nparams > 0) {
				t->lastevent_fd = shm_evt_s64(e, SHM_P_USES_FD, -1);
				ev->fdnum = t->lastevent_fd;
				ev->fd = eng_state_fd(t, t->lastevent_fd);
			}
		} else {
			if (t->enter_ts)
				ev->latency = e->ts - t->enter_ts;
			/* like libsinsp, an exit that does not follow its own enter
			 * (a lost event) gets no fd: its parser then changes nothing */
			int paired = t->enter_type + 1 == e->type;
			if (paired && t->enter_len) {
				shm_evt_index(&ev->enter_evt, t->enter);
				ev->enter = &ev->enter_evt;
			}
			if ((flags & SHM_EF_USES_FD) && paired) {
				ev->fdnum = t->lastevent_fd;
				ev->fd = eng_state_fd(t, t->lastevent_fd);
			}
			/* the enter is used up: a second exit (its own enter lost)
			 * must not pair with it, as libsinsp's last-event type says */
			t->enter_type = e->type;
		}
	}

	struct eng_fd *before = ev->fd;
	uint32_t gen = before ? before->name_gen : 0;
	switch (e->type) {
	case SHM_EV_SYSCALL_OPEN_X:
	case SHM_EV_SYSCALL_CREAT_X:
	case SHM_EV_SYSCALL_OPENAT_X:
	case SHM_EV_SYSCALL_OPENAT_2_X:
	case SHM_EV_SYSCALL_OPENAT2_X:
		eng_st_parse_open_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_CLONE_20_X:
	case SHM_EV_SYSCALL_FORK_20_X:
	case SHM_EV_SYSCALL_VFORK_20_X:
	case SHM_EV_SYSCALL_CLONE3_X:
		eng_st_parse_clone_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_EXECVE_19_X:
		eng_st_parse_execve_exit(st, ev, 0);
		break;
	case SHM_EV_SYSCALL_EXECVEAT_X:
		eng_st_parse_execve_exit(st, ev, 1);
		break;
	case SHM_EV_PROCEXIT_1_E:
	case SHM_EV_PROCEXIT_E:
		if (t)
			st->dead_tid = t->tid;
		break;
	case SHM_EV_SOCKET_SOCKET_X:
		eng_st_parse_socket_exit(st, ev);
		break;
	case SHM_EV_SOCKET_CONNECT_E:
		eng_st_parse_connect_enter(st, ev);
		break;
	case SHM_EV_SOCKET_CONNECT_X:
		eng_st_parse_connect_exit(st, ev);
		break;
	case SHM_EV_SOCKET_ACCEPT_X:
	case SHM_EV_SOCKET_ACCEPT_5_X:
	case SHM_EV_SOCKET_ACCEPT4_X:
	case SHM_EV_SOCKET_ACCEPT4_5_X:
		eng_st_parse_accept_exit(st, ev);
		break;
	case SHM_EV_SOCKET_BIND_X:
		eng_st_parse_bind_exit(st, ev);
		break;
	case SHM_EV_SOCKET_RECVFROM_X:
		mark_rw_connected(ev);
		eng_st_parse_dgram_tuple(st, ev, e, SHM_P_RECVFROM_X_TUPLE, 1);
		break;
	case SHM_EV_SOCKET_RECVMSG_X:
		mark_rw_connected(ev);
		eng_st_parse_dgram_tuple(st, ev, e, SHM_P_RECVMSG_X_TUPLE, 1);
		break;
	case SHM_EV_SOCKET_SENDTO_E: /* not sendmsg: sysdig 0.29.3 does not */
		eng_st_parse_sendto_enter(st, ev);
		break;
	case SHM_EV_SOCKET_SENDTO_X:
	case SHM_EV_SOCKET_SENDMSG_X:
		mark_rw_connected(ev);
		if (ev->enter) /* sendto's and sendmsg's enters are alike */
			eng_st_parse_dgram_tuple(st, ev, ev->enter, SHM_P_SENDTO_E_TUPLE, 0);
		break;
	case SHM_EV_SYSCALL_READ_X:
	case SHM_EV_SYSCALL_WRITE_X:
	case SHM_EV_SOCKET_RECV_X:
	case SHM_EV_SOCKET_SEND_X:
	case SHM_EV_SYSCALL_READV_X:
	case SHM_EV_SYSCALL_WRITEV_X:
	case SHM_EV_SYSCALL_PREAD_X:
	case SHM_EV_SYSCALL_PWRITE_X:
	case SHM_EV_SYSCALL_PREADV_X:
	case SHM_EV_SYSCALL_PWRITEV_X:
		mark_rw_connected(ev);
		break;
	case SHM_EV_SYSCALL_PIPE_X:
		eng_st_parse_pipe_exit(st, ev);
		break;
	case SHM_EV_SOCKET_SOCKETPAIR_X:
		eng_st_parse_socketpair_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_DUP_X:
		eng_st_parse_dup_exit(st, ev, 0);
		break;
	case SHM_EV_SYSCALL_FCNTL_X:
		if (ev->enter) {
			uint64_t cmd = shm_evt_u64(ev->enter, SHM_P_FCNTL_E_CMD, 0);
			if (cmd == SHM_PPM_FCNTL_F_DUPFD || cmd == SHM_PPM_FCNTL_F_DUPFD_CLOEXEC)
				eng_st_parse_dup_exit(st, ev, cmd == SHM_PPM_FCNTL_F_DUPFD_CLOEXEC);
		}
		break;
	case SHM_EV_SYSCALL_EVENTFD_X:
		eng_st_add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_EVENTFD_X_RES, -1), SHM_SCAP_FD_EVENT);
		break;
	case SHM_EV_SYSCALL_SIGNALFD_X:
		eng_st_add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_SIGNALFD_X_RES, -1),
			      SHM_SCAP_FD_SIGNALFD);
		break;
	case SHM_EV_SYSCALL_TIMERFD_CREATE_X:
		eng_st_add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_TIMERFD_CREATE_X_RES, -1),
			      SHM_SCAP_FD_TIMERFD);
		break;
	case SHM_EV_SYSCALL_INOTIFY_INIT_X:
		eng_st_add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_INOTIFY_INIT_X_RES, -1),
			      SHM_SCAP_FD_INOTIFY);
		break;
	case SHM_EV_SYSCALL_CLOSE_X:
		eng_st_parse_close_exit(st, ev);
		break;
	case SHM_EV_GENERIC_X:
		/* memfd_create, with pdig's extension (state_file.c) */
		if (e->next) {
			eng_st_parse_memfd_exit(st, ev);
			if (ev->fd)
				flags |= SHM_EF_CREATES_FD; /* its fd stays for the fields */
		}
		break;
	case SHM_EV_SYSCALL_CHDIR_X:
		eng_st_parse_chdir_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_FCHDIR_X:
		eng_st_parse_fchdir_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_SETSID_X:
		eng_st_parse_setsid_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_SETUID_X:
	case SHM_EV_SYSCALL_SETGID_X:
	case SHM_EV_SYSCALL_SETRESUID_X:
	case SHM_EV_SYSCALL_SETRESGID_X:
		eng_st_parse_set_ids(st, ev);
		break;
	default:
		eng_st_parse_compat(st, ev); /* older process events (state_compat.c) */
		break;
	}
	/* a new fd counts as renamed from "" (libsinsp compares with the old name) */
	if (ev->fd_renamed == 2)
		ev->fd_renamed = 0;
	else if (ev->fd && ev->fd != before)
		ev->fd_renamed = ev->fd->name[0] != 0;
	else
		ev->fd_renamed = before && before->name_gen != gen;
	t = ev->thread;
	ev->evt_fd = ev->fd;
	if (t && (flags & (SHM_EF_CREATES_FD | SHM_EF_USES_FD | SHM_EF_DESTROYS_FD))) {
		ev->fdnum = t->lastevent_fd;
		if (!ev->fd && t->lastevent_fd != -1)
			ev->fd = eng_state_fd(t, t->lastevent_fd);
	} else {
		ev->fd = NULL;
		ev->fdnum = -1;
	}
}
