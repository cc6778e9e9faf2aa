/*
 * The system state the engine rebuilds from events, the way libsinsp does:
 * threads (grouped into processes that share an fd table), their fds, and
 * the user and group names.
 *
 * eng_state_apply() takes every event in order. It works out which thread
 * and which fd the event is about (kept in struct eng_event for the fields)
 * and updates the tables. Like libsinsp, an exiting thread and a closed fd
 * stay visible for the event that removes them and go at the next event.
 *
 * Memory follows the live system: tables shrink when threads and fds go.
 */
#ifndef ENG_STATE_H
#define ENG_STATE_H

#include <stdint.h>

#include "eng_container.h"
#include "eng_map.h"
#include "shm_event.h"
#include "shm_scap.h"

/* libscap's layer-4 protocol codes (fd lists, fd.l4proto). */
enum eng_l4 { ENG_L4_UNKNOWN = 0, ENG_L4_TCP = 1, ENG_L4_UDP = 2, ENG_L4_ICMP = 3, ENG_L4_RAW = 4 };

enum eng_fd_role { ENG_ROLE_NONE = 0, ENG_ROLE_CLIENT = 1, ENG_ROLE_SERVER = 2 };

struct eng_fd {
	int64_t num;
	uint8_t type;    /* enum shm_scap_fd_type */
	uint8_t l4proto; /* enum eng_l4 */
	uint8_t role;    /* enum eng_fd_role */
	uint8_t cloexec; /* closed by a successful execve */
	uint8_t connected; /* a socket connect or accept succeeded */
	uint32_t name_gen; /* bumped when an event renames the fd (fd.name_changed) */
	uint32_t open_flags; /* PPM open flags, for files */
	/* sockets: addresses in network order (IPv4 in [0]), ports host order;
	 * s = the source of the tuple as the driver reported it (the client) */
	uint32_t sip[4], dip[4];
	uint16_t sport, dport;
	uint64_t ino;
	char *name; /* never NULL: "" when unknown */
	uint32_t name_cap; /* bytes allocated at name: renames reuse them */
};

/* The fd table of a process: shared by its threads (refcounted). */
struct eng_fdtable {
	unsigned refs;
	struct eng_map fds; /* num -> struct eng_fd */
};

#define ENG_MAX_ENTER 4096 /* enter events kept for their exit (bytes) */
/* Threads made up for unknown tids stop here (libsinsp's table limit): a
 * stream of events from threads whose exit is never seen stays bounded. */
#define ENG_MAX_THREADS 131072
/* Closed fds kept for reuse (struct eng_state.fd_pool). */
#define ENG_FD_POOL 1024

struct eng_thread {
	int64_t tid, pid, ptid, sid, vpgid, vtid, vpid;
	char *comm;    /* the kernel's name */
	char *exe;     /* argv[0] */
	char *exepath; /* the full executable path; "" when unknown */
	char *args;    /* arguments after argv[0], each NUL-terminated */
	uint32_t args_len;
	char *env;     /* NAME=value strings, each NUL-terminated; NULL: not known */
	uint32_t env_len;
	char *cwd;     /* with a trailing '/', as libsinsp keeps it */
	uint32_t uid, gid;
	int32_t loginuid;
	uint32_t tty;
	uint32_t flags;
	uint8_t placeholder; /* made up for an unknown tid: only tid and fds are real */
	uint8_t exe_writable; /* the executable is writable by the process's user */
	uint8_t exe_memfd;    /* the executable is a memfd_create() file */
	uint8_t exe_upper;    /* execve said: the executable is in an overlayfs upper layer */
	uint8_t traced;       /* in the traced tree: it made an event, or an event made it
			       * (process lists also hold the tracer and its ancestors) */
	uint64_t clone_ts;
	uint64_t text_gen; /* changes with comm, exe or args, never reused in the
			    * process: fields keep proc.cmdline until it changes */
	struct eng_fdtable *fdt;
	int64_t lastevent_fd; /* the fd of the last enter event (exit events use it) */
	uint64_t enter_ts;    /* of the last enter event, for evt.latency; 0: none */
	/* the last enter event, for the parameters its exit does not repeat */
	uint16_t enter_type;
	uint32_t enter_len;
	uint32_t enter_cap;
	uint8_t *enter; /* grows to the largest enter event kept (<= ENG_MAX_ENTER) */
	char *container_id; /* from its cgroups (eng_container.h); NULL: none */
};

/* A ring has no cpus: its events' cpu is not known. */
#define ENG_CPU_UNKNOWN 0xffffu

/* What one event is about: filled by eng_state_apply(), read by fields. */
struct eng_event {
	struct shm_evt evt;
	uint64_t num;  /* 1, 2, ... in the order read */
	uint16_t cpuid; /* ENG_CPU_UNKNOWN: evt.cpu is not available */
	struct eng_thread *thread; /* NULL when the thread is unknown */
	struct eng_fd *fd;         /* NULL when no fd or an unknown one */
	struct eng_fd *evt_fd;     /* the fd the event itself resolved (no fallback
				    * to the thread's last fd): evt.category */
	int64_t fdnum;             /* the thread's last event fd (libsinsp's
				    * m_lastevent_fd): -1 when none */
	const struct shm_evt *enter; /* for exit events: its enter event, or NULL */
	uint64_t latency;          /* exit events: ns since the thread's last enter */
	uint8_t fd_renamed;        /* this event changed the name of its fd */
	struct shm_evt enter_evt;
};

struct eng_user {
	uint32_t uid, gid;
	char *name, *homedir, *shell;
};

struct eng_group {
	uint32_t gid;
	char *name;
};

/* One address of the machine's interface list. */
struct eng_local_addr {
	uint32_t addr[4]; /* network order; IPv4 in [0] */
	uint32_t netmask; /* IPv4 (libsinsp ignores IPv6 netmasks) */
};

struct eng_state {
	struct eng_map threads; /* tid -> struct eng_thread */
	struct eng_map users;   /* uid -> struct eng_user */
	struct eng_map groups;  /* gid -> struct eng_group */
	/* removals deferred to the next event */
	int64_t dead_tid;       /* -1: none */
	struct eng_fdtable *dead_fdt;
	int64_t dead_fd;        /* -1: none */
	int64_t dead_fd2;
	char *hostname;         /* the traced machine's name, NULL when not known */
	struct eng_containers *containers; /* eng_container.h; NULL until one is seen */
	/* the machine's addresses (interface list), in its order: nlocal_ip4
	 * IPv4 ones, then nlocal_ip6 IPv6 ones (one allocation) */
	struct eng_local_addr *local_ip4;
	size_t nlocal_ip4, nlocal_ip6;
	uint64_t nthreads_created, nthreads_removed;
	uint64_t alloc_failures; /* state updates lost to memory shortage */
	/* closed fds kept for reuse, with their name buffers: opening and
	 * closing files allocates nothing once the pool is warm */
	struct eng_fd *fd_pool[ENG_FD_POOL];
	unsigned nfd_pool;
	uint64_t threads_refused; /* unknown threads not tracked: the table was full */
	uint64_t seq;           /* events applied: bumped by each eng_state_apply() */
	/* fields.c's memo of the name the current event's fd-creating exit
	 * gives (a joined path): worked out once for every check reading it */
	uint64_t memo_seq;      /* the seq it is for; 0: none */
	const void *memo_ev;    /* and the event */
	const char *memo_name;
	char memo_buf[4096];
};

int eng_state_new(struct eng_state **st);
void eng_state_free(struct eng_state *st);

/* Loads the process list, fd lists and users of a capture. */
int eng_state_load_scap(struct eng_state *st, const struct shm_scap_reader *r);

/* Reads ROOT/etc/passwd and ROOT/etc/group ("/" for this machine, or a
 * container's /proc/PID/root) into the user and group tables; entries
 * already there stay. 0, or a negative errno when passwd cannot be read. */
int eng_state_load_users_from(struct eng_state *st, const char *root);

/* Adds one thread from a process-list entry (also used by live sources). */
int eng_state_add_proc(struct eng_state *st, const struct shm_scap_proc *p);
int eng_state_add_fd(struct eng_state *st, int64_t tid, const struct shm_scap_fd *f);
int eng_state_add_user(struct eng_state *st, const struct shm_scap_user *u);
int eng_state_add_group(struct eng_state *st, const struct shm_scap_group *g);

/* Resolves ev->thread/fd/enter, then updates the tables for ev->evt. */
void eng_state_apply(struct eng_state *st, struct eng_event *ev);

struct eng_thread *eng_state_thread(const struct eng_state *st, int64_t tid);
/* The main thread of t's process (t itself when it is the main one). */
struct eng_thread *eng_state_main_thread(const struct eng_state *st, struct eng_thread *t);
/* The parent process's main thread, NULL when unknown. */
struct eng_thread *eng_state_parent(const struct eng_state *st, struct eng_thread *t);
/* Whether t's process is the root of the traced tree (the program the
 * tracer started or attached to): traced itself, its parent not (the
 * tracer, or nothing: ptid 0). 1, 0, or -ENOENT when its parent is not
 * known. Rests on the events alone, never on a name. */
int eng_state_is_entrypoint(const struct eng_state *st, struct eng_thread *t);
const struct eng_user *eng_state_user(const struct eng_state *st, uint32_t uid);
const struct eng_group *eng_state_group(const struct eng_state *st, uint32_t gid);
/* The cwd of t's process. */
const char *eng_state_cwd(const struct eng_state *st, struct eng_thread *t);
struct eng_fd *eng_state_fd(struct eng_thread *t, int64_t fd);

/* Joins dir and path the way libsinsp does (shm_fmt_path_join): path alone
 * if absolute, else dir (as it is: cwds end in '/') then path, with "./",
 * "//" and ".." folded and bytes outside printable ASCII made '.'. */
void eng_path_join(const char *dir, const char *path, char *out, size_t cap);
/* The directory a relative path of an *at() call is joined to, as libsinsp
 * makes it: the cwd for AT_FDCWD, the dirfd's name and '/' (in buf), or
 * unknown when the fd is not known. */
const char *eng_state_at_dir(const struct eng_state *st, struct eng_thread *t, int64_t dirfd,
			     const char *unknown, char *buf, size_t cap);

/* Appends a capture's or a ring snapshot's interface list to the local
 * addresses. 0 or -ENOMEM. */
int eng_state_add_ifaces(struct eng_state *st, const struct shm_scap_iface *ifs, size_t n);
/* Whether addr (IPv4, network order) belongs to the traced machine: an
 * interface has it. */
int eng_state_is_local_ip4(const struct eng_state *st, uint32_t addr);
/* Whether addr (IPv6) does, as libsinsp 0.29.3 tells: its first 64 bits
 * are an interface's, and t (the event's thread) is not in a container. */
int eng_state_is_local_ip6(const struct eng_state *st, const struct eng_thread *t,
			   const uint32_t addr[4]);

/* The driver's fd-type letter ("f", "4", "u", ...) and name ("file", ...). */
const char *eng_fd_typechar(const struct eng_fd *fd);
const char *eng_fd_typename(const struct eng_fd *fd);

#endif
