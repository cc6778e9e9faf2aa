/*
 * pdig internals: the tracer, its tracees, and the decoders' call context.
 *
 * Everything a stop needs lives in struct pd_tracer (one per tracer loop) and
 * struct pd_tracee (one per traced thread): no per-tracee globals, so the
 * loop can later run as one tracer thread per CPU.
 */
#ifndef PDIG_H
#define PDIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shm_event.h"
#include "pd_syscall_table.h"
#include "procfs.h"
#include "waitspin.h"

/* Exit statuses of pdig itself (the command's own status otherwise). */
#define PD_EXIT_USAGE 2
#define PD_EXIT_FAILURE 125
#define PD_EXIT_NOEXEC 126
#define PD_EXIT_NOTFOUND 127

#define PD_DEFAULT_SNAPLEN 80u
#define PD_MAX_SNAPLEN 65000u /* a u16 parameter length must still hold it */
/* Our SECCOMP_RET_DATA: a TRACE result with other data is not ours. */
#define PD_SECCOMP_TAG 0x7064u

struct pd_opts {
	int capture_all;
	int io;                 /* --io: read, write, pread64, pwrite64 too */
	int lossless;
	int udig;
	int quiet;
	int verbose;
	int wait_all;           /* --wait-all: stay until every traced process ends */
	uint32_t snaplen;
	const char *ring;
	const char *connect;    /* --connect: hand a private memfd ring to this socket */
	const char *write_path; /* -w: capture file */
	const char *raw_path;   /* --raw: bare event records (tests) */
	const char *container_id; /* --container-id: NULL from the environment, "" none */
	char *const *argv;      /* the command (NULL when attaching) */
	/* -p: attach to these processes instead of running a command */
	const pid_t *attach_pids;
	size_t nattach;
	int tree;               /* --tree: their descendants too (-1: for PID 1 only) */
	int no_inject;          /* --no-inject: plain PTRACE_SYSCALL, detachable */
	const char *stack;      /* --stack[=SYSCALLS]: "" the default set, NULL off */
	int keep_warm;          /* --keep-warm: enum pd_warm_mode (keepwarm.h) */
};

/* Nothing is lost silently: every drop is counted here. */
struct pd_stats {
	uint64_t stops;
	uint64_t events;
	uint64_t drop_no_consumer; /* udig: no reader capturing */
	uint64_t drop_ring;        /* the ring (or udig ring) was full */
	uint64_t drop_write;       /* the sink refused the record */
	uint64_t drop_encode;      /* the record did not fit or was malformed */
	uint64_t page_faults;      /* unreadable tracee memory: value left empty */
	uint64_t foreign_trace;    /* TRACE results of the program's own filter */
	int ring_used;             /* a ring was written (the line below is said) */
	uint64_t ring_wakeups;     /* futex wake-ups of a sleeping engine */
	uint64_t ring_waits;       /* --lossless waits for room */
};

/* Tracee flags. */
#define PD_T_STARTED 0x01   /* its first stop has been handled */
#define PD_T_IN_SYSCALL 0x02 /* resumed with PTRACE_SYSCALL: the exit stop is due */
#define PD_T_HELD 0x04      /* new child stopped before its parent's clone event */
#define PD_T_EXPECTED 0x08  /* announced by its parent's clone event */
#define PD_T_RESTART 0x10   /* its call returned -ERESTART*: may come back */
#define PD_T_EXITED 0x20    /* procexit written */
#define PD_T_ROOT 0x40      /* the command itself */
#define PD_T_SKIPPED 0x80   /* the call is skipped (made to fail with ENOSYS) */
#define PD_T_ATTACHED 0x100 /* seized by pdig -p: set up at its first stop */
/* no filter of ours (pdig -p --no-inject, or injection failed): resumed with
 * PTRACE_SYSCALL, calls picked out at their syscall-entry stops */
#define PD_T_PLAIN 0x200
#define PD_T_CLONE_WRITTEN 0x400 /* a new child's clone exit is written */
/* called unshare or setns: its children may go to another pid namespace */
#define PD_T_NS_MOVED 0x800
/* the signal was injected with PTRACE_SINGLESTEP to see the handler's entry,
 * where the kernel has decided whether the interrupted call returns EINTR or
 * is restarted; cleared by the next stop */
#define PD_T_SIGSTEP 0x10000u

enum pd_arch { PD_ARCH_X86_64 = 0, PD_ARCH_I386 = 1, PD_ARCH_X32 = 2 };

struct pd_tracee {
	pid_t tid;  /* as pdig sees it */
	pid_t pid;  /* thread group id, 0 until known */
	uint32_t flags;
	int pending_sig;             /* to inject when a held child is released */
	/* the call in progress */
	const struct pd_syscall *sc;
	uint8_t arch;                /* enum pd_arch */
	uint64_t nr;                 /* native number as the tracee made it */
	uint64_t args[6];
	uint64_t clone_flags;        /* native flags of its clone-family call */
	/* a new child: the exit event to write for it, and its clone flags */
	uint16_t child_ev;
	uint64_t child_clone_flags;
	int8_t pidns;                /* in pdig's pid namespace: 1 yes, -1 no, 0 not asked */
	pid_t creator;               /* a new child: the thread whose call made it */
	struct pd_proc_task proc;    /* its /proc files kept open, its credentials */
	struct pd_tracee *hnext;     /* hash chain */
};

struct pd_out;
struct pd_procinfo;
struct pd_proc_cache;

/*
 * pdig runs as two processes: the front (the process the shell waits for,
 * the command's real parent: it mirrors the command's stops, forwards
 * signals, carries the exit status and PID 1's duties) and the tracer (its
 * child, in a process group of its own so that job control never stops it).
 * They share this page (main.c maps it before the tracer's fork).
 */
#define PD_NSIG 65
struct pd_shared {
	uint64_t fwd_mask;            /* bit sig-1: signals the front forwards */
	/* front: a copy it is taking or has passed on; tracer: not yet handled */
	_Atomic unsigned busy[PD_NSIG];
	_Atomic unsigned handled;     /* messages the tracer has handled */
};

/* A signal the front received from a process: the tracer forwards it to
 * the command unless the command got the same one (a signal to the group). */
struct pd_fwd_msg {
	int sig;
	int code;
	pid_t from;
};

/* Delivery stops of the command of signals the front also got (loop.c). */
#define PD_SEEN_MAX 16
struct pd_seen_sig {
	int sig;
	pid_t from;
};

struct pd_tracer {
	const struct pd_opts *opts;
	struct pd_out *out;
	struct pd_stats st;
	pid_t root;
	int proc_ok;    /* /proc shows our pid namespace (tids match) */
	int debug;      /* PDIG_DEBUG_STOPS: trace the loop on stderr */
	int root_status;
	int root_done;
	int rest_killed; /* the command ended: what it left running was killed */
	int front_pid1;  /* the front is PID 1: the container ends with the command */
	pid_t front;     /* the front process (0: none, tests) */
	int fwd_fd;      /* the front's messages (struct pd_fwd_msg), -1: none */
	struct pd_shared *shared;
	struct pd_seen_sig seen[PD_SEEN_MAX];
	unsigned nseen;
	/* tracees by tid */
	struct pd_tracee **buckets;
	size_t nbuckets;
	size_t count;
	size_t nheld;   /* children held until their parent's clone event */
	/* 32-bit and x32 syscall numbers -> pd_syscall_table index, or -1 */
	int16_t i386_map[PD_SYSCALL_NR_MAX];
	int16_t x32_map[1024];
	/* one record is built here at a time */
	uint8_t *evbuf;
	size_t evcap;
	struct pd_procinfo *pi;
	struct pd_stack *stack; /* --stack (stack.h), NULL without */
	struct pd_proc_cache *pcache; /* process-wide /proc facts, briefly kept */
	struct pd_warm *warm;   /* keepwarm.h: NULL when off */
	struct pd_waitspin wspin; /* the wait for the next stop (waitspin.h) */
	/* pdig -p (attach.c) */
	int attach;
	pid_t anc;              /* ancestors in snapshots from here up (0: pdig's) */
	int detaching;          /* detach from every tracee at its next stop */
	void *bpf;              /* the filter to inject, as classic BPF */
	size_t bpf_len;
	struct pd_attach_proc *aprocs; /* attached processes and their mode */
	size_t naprocs;
	int said_stay;          /* "pdig stays until ..." said */
	uint64_t pidns_ino, pidns_dev; /* pdig's pid namespace (loop.c) */
	/* The last path read from a tracee (decode_common.c): a call's exit
	 * stop, next after its entry stop, encodes the path the entry read
	 * (the bytes the kernel used) without a second process_vm_readv. */
	struct {
		pid_t tid;
		uint64_t addr;
		uint64_t stop;   /* tr->st.stops when read */
		ssize_t len;     /* as pd_mem_read_str returned it */
		char buf[PATH_MAX];
	} path_cache;
};

/* Resumes t as its mode wants: to the exit stop when due, to every syscall
 * stop when it has no filter of ours (tracee.c). */
void pd_resume(struct pd_tracee *t, int sig);

/* What a decoder sees: the call, its result (exit) and the record being built. */
struct pd_call {
	struct pd_tracer *tr;
	struct pd_tracee *t;
	const struct pd_syscall *sc;
	const uint64_t *args;
	int64_t ret;
	struct shm_enc *e;
	int is_exit; /* an exit event (odd type, as the driver numbers them) */
};

/* tracee.c */
int pd_tracer_init(struct pd_tracer *tr, const struct pd_opts *opts);
void pd_tracer_fini(struct pd_tracer *tr);
struct pd_tracee *pd_tracee_find(struct pd_tracer *tr, pid_t tid);
/* Is t in pdig's pid namespace (asked once per tracee: loop.c)? */
int pd_same_pidns(struct pd_tracer *tr, struct pd_tracee *t);
struct pd_tracee *pd_tracee_add(struct pd_tracer *tr, pid_t tid);
void pd_tracee_del(struct pd_tracer *tr, struct pd_tracee *t);

/* Is sc in the traced set (its when= condition aside)? */
static inline int pd_sc_traced(const struct pd_opts *o, const struct pd_syscall *sc)
{
	return o->capture_all || (sc->flags & PD_SC_DEFAULT) || (o->io && (sc->flags & PD_SC_IO));
}

/* filter.c */
int pd_filter_build(void **ctx, const struct pd_opts *opts, int set_nnp, char *err, size_t errlen);
int pd_filter_export(void *ctx, void **prog, size_t *len);
int pd_filter_load(void *ctx);
void pd_filter_free(void *ctx);
void pd_filter_arch_maps(struct pd_tracer *tr);

/* launch.c: starting the command under ptrace, in two halves; each returns
 * 0, or PD_EXIT_* with the message printed. The front forks the command,
 * stopped before its filter and execvp, as its real parent; the tracer
 * seizes and continues it. */
int pd_launch_spawn(const struct pd_opts *opts, pid_t *pid);
int pd_launch_seize(struct pd_tracer *tr, pid_t pid);
/* Is /proc the one of pdig's pid namespace? */
int pd_proc_matches(void);

/* attach.c: pdig -p. start: checks the targets, seizes every thread (and
 * with --tree every descendant) until no new one appears, and asks each
 * for a stop: 0, or PD_EXIT_* with the message printed. */
int pd_attach_start(struct pd_tracer *tr);
/* The process list sent before the first event: the targets' ancestors,
 * then the attached processes, parents first. */
int pd_attach_snapshot(struct pd_tracer *tr);
/* The first stop of a seized thread: its process gets pdig's filter
 * (injected once per process) or stays in plain mode. 1 if t ended
 * meanwhile, with its wait status in *status (-1: its end follows). */
int pd_attach_first_stop(struct pd_tracer *tr, struct pd_tracee *t, int stop_status,
			 int *status);
/* SIGINT/SIGTERM/SIGHUP asked pdig -p to go: detach where it can. */
void pd_attach_on_signal(int sig);
int pd_attach_signalled(void);
void pd_attach_leave(struct pd_tracer *tr);
/* A stop of a tracee while detaching: let it go (its pending signal too). */
void pd_attach_detach_one(struct pd_tracer *tr, struct pd_tracee *t, int status);

/* loop.c: runs until every tracee is gone. */
int pd_loop(struct pd_tracer *tr);
/* The tracer's SIGUSR1 handler: the front has written a message. */
void pd_loop_kick(int sig);

/* syscall.c: seccomp and syscall-exit stops -> events. */
void pd_syscall_enter(struct pd_tracer *tr, struct pd_tracee *t);
void pd_syscall_exit(struct pd_tracer *tr, struct pd_tracee *t);
/* The call of t has ended with ret, known from a ptrace event stop (an
 * execve's exec event): its exit event now, and no exit stop is taken. */
void pd_syscall_done(struct pd_tracer *tr, struct pd_tracee *t, int64_t ret);
/* A syscall-entry or -exit stop of a tracee without our filter (plain mode):
 * the calls of the traced set get their events, the others none. */
void pd_syscall_plain(struct pd_tracer *tr, struct pd_tracee *t);
/* Builds one record of type with fn and hands it to the output. */
void pd_emit(struct pd_tracer *tr, struct pd_tracee *t, const struct pd_syscall *sc,
	     uint16_t type, pd_dec_fn fn, const uint64_t *args, int64_t ret);
uint64_t pd_now(void);
/* Counts a value left empty because tracee memory was unreadable. */
void pd_page_fault(struct pd_tracer *tr);

/* signal.c: does t ignore sig? If so, an EINTR it caused is undone. */
int pd_signal_ignored(struct pd_tracee *t, int sig);
/* A signal-delivery stop (status event 0): delivers sig as the kernel would
 * without a tracer, and resumes t. */
void pd_signal_deliver(struct pd_tracer *tr, struct pd_tracee *t, int sig);

/* decode_process.c: events the loop writes outside syscalls. */
void pd_emit_child_clone(struct pd_tracer *tr, struct pd_tracee *child);
void pd_emit_procexit(struct pd_tracer *tr, struct pd_tracee *t, int status);
/* Native flags of the clone-family call t is making. */
uint64_t pd_clone_call_flags(const struct pd_tracee *t);

/* mem.c: tracee memory, read with process_vm_readv. */
ssize_t pd_mem_read(pid_t tid, uint64_t addr, void *buf, size_t len);
/* A NUL-terminated string of at most cap-1 bytes: its length with the NUL,
 * or a negative errno. */
ssize_t pd_mem_read_str(pid_t tid, uint64_t addr, char *buf, size_t cap);
int pd_mem_write(pid_t tid, uint64_t addr, const void *buf, size_t len);

/* Parameter helpers shared by the decoders (decode_common.c). */
void pd_enc_path(struct pd_call *c, uint64_t addr);
void pd_enc_data(struct pd_call *c, uint64_t addr, int64_t len);
static inline void pd_enc_fd(struct pd_call *c, uint64_t v)
{
	shm_enc_s64(c->e, (int64_t)(int32_t)v);
}
static inline void pd_enc_res(struct pd_call *c) { shm_enc_s64(c->e, c->ret); }
/* Will the event carry extensions (shm_event.h) other than a stack: a
 * call through a 32-bit entry, memfd_create's exit? (decode_common.c) */
int pd_ext_wanted(const struct pd_tracee *t, const struct pd_syscall *sc, uint16_t type);
/* The ABI extension of a call not made through the x86_64 entry. */
void pd_enc_abi(struct pd_call *c);
/* st_dev of the tracee's fd, in the kernel's encoding (0 if unknown). */
uint32_t pd_fd_dev(const struct pd_call *c, int64_t fd);
uint64_t pd_fd_ino(const struct pd_call *c, int64_t fd);

/* flags.c: native values -> the driver's PPM encodings. */
uint32_t pd_open_flags(uint64_t flags);
uint32_t pd_open_mode(uint64_t flags, uint64_t mode);
uint32_t pd_clone_flags(uint64_t flags);
uint16_t pd_ptrace_request(uint64_t req);
uint32_t pd_execveat_flags(uint64_t flags);
uint32_t pd_openat2_resolve(uint64_t resolve);
uint32_t pd_unlinkat_flags(uint64_t flags);
uint32_t pd_linkat_flags(uint64_t flags);
uint32_t pd_renameat2_flags(uint64_t flags);
uint32_t pd_prot_flags(uint64_t prot);
uint32_t pd_mmap_flags(uint64_t flags);
uint8_t pd_fcntl_cmd(uint64_t cmd);
uint32_t pd_encode_dev(uint64_t dev);

/* output.c (the sinks: out_*.c) */
int pd_out_new(struct pd_out **o, const struct pd_opts *opts, struct pd_stats *st);
/* One record built elsewhere, to every sink. */
void pd_out_event(struct pd_out *o, const void *rec, uint32_t len);
/* Where to build the next event, of type: in place in the ring when it is
 * the only sink and the event surely fits there (*cap: its room), else
 * NULL: in a buffer of the caller's. pd_out_end() follows in either case,
 * len its length or the encoder's error (counted as too large). */
void *pd_out_begin(struct pd_out *o, uint16_t type, uint32_t *cap);
void pd_out_end(struct pd_out *o, const void *rec, int len);
/* A value left empty because tracee memory was unreadable (the "page
 * fault" drop the driver counts). */
void pd_out_page_fault(struct pd_out *o);
/* Everything written so far to the file or the ring, now: pdig may be
 * killed next (pdig -p inside a pid namespace whose PID 1 is ending). */
void pd_out_flush(struct pd_out *o);
/* 1 if a file sink holds events not yet written: the loop then looks for
 * an idle moment (no stop pending) to call pd_out_idle(). */
int pd_out_has_unwritten(const struct pd_out *o);
/* No tracee stop pending: write buffered file output once it is old. The
 * ring is left alone: its consumer wakes on its own timer or when a quarter
 * of the ring is full, never per event (a wake-up per event costs a context
 * switch on the tracer's CPU). */
void pd_out_idle(struct pd_out *o);
/* The process list: the root's ancestors and the root (before the first event). */
int pd_out_procs(struct pd_out *o, struct pd_tracer *tr, pid_t root);
/* The same for the tree of tids (pdig -p), with the ancestors of tr->anc. */
int pd_out_procs_tids(struct pd_out *o, struct pd_tracer *tr, const pid_t *tids, size_t n);
int pd_out_free(struct pd_out *o);

/* container.c: the traced tree's container id (pdig --container-id). */
#define PD_CONTAINER_ID_MAX 128
/* 0 when id is usable: at most 128 letters, digits, '.', '_', '-', ':'. */
int pd_container_id_check(const char *id);
/* The id ECS gives the container ($ECS_CONTAINER_METADATA_URI_V4, else
 * _URI): 1 with it in out and the variable's name in *from, 0 when neither
 * is set, -EINVAL when the one set ends in no usable id. */
int pd_container_env_id(char *out, size_t cap, const char **from);
/* Writes the container event that gives the traced tree id, first of the
 * events (after the process list). id NULL: from the environment, if any;
 * "": none. 0, or a negative errno. */
int pd_container_announce(struct pd_tracer *tr, const char *id);
/* That event's record, to send again with the process list to an engine
 * that attaches later; -ENOENT when none was announced. */
int pd_container_record(const void **rec, uint32_t *len);
/* --container-name, --container-image, --container-image-id, --container-label
 * KEY=VALUE: what the container event says besides the id (value kept, not
 * copied). 0; -EINVAL: too long (512), a control character, a label without
 * KEY=; -ENOSPC: more than 16 labels. */
enum pd_ct_meta { PD_CT_NAME, PD_CT_IMAGE, PD_CT_IMAGE_ID, PD_CT_LABEL };
int pd_container_meta(enum pd_ct_meta what, const char *value);

#endif
