/* evt.* fields: the event's own number, times, type, arguments, return
 * value and category; and %evt.args / %evt.arg rendering with the fd and
 * pid decorations. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fields_impl.h"

static int fmt_arg_of(const struct eng_ctx *c, const struct shm_evt *e, unsigned i, char *out,
		      size_t cap);

/* memfd_create's exit as current libs have it (fd, name, flags), when e is
 * its generic exit carrying pdig's extension (shm_event.h), else NULL.
 * Valid until the next call. */
static const struct shm_evt *memfd_view(const struct shm_evt *e)
{
	static _Thread_local struct shm_evt view;
	if (e->type != SHM_EV_GENERIC_X || !e->next)
		return NULL;
	return shm_evt_memfd_view(e, &view) == 0 ? &view : NULL;
}

/* The return value and whether the event has one (res, or fd for exits
 * of fd-creating events). */
static int event_res(const struct shm_evt *e, int64_t *res)
{
	if (shm_event_is_enter(e->type))
		return 0;
	const struct shm_evt *m = memfd_view(e);
	if (m)
		return shm_evt_get_s64(m, 0, res) == 0;
	int i = shm_evt_param_index(e->type, "res");
	if (i < 0 && (e->info->flags & SHM_EF_CREATES_FD))
		i = shm_evt_param_index(e->type, "fd");
	return i >= 0 && shm_evt_get_s64(e, (unsigned)i, res) == 0;
}

static const char *category_name(uint16_t cat)
{
	switch (cat) {
	case SHM_EC_OTHER: return "other";
	case SHM_EC_FILE: return "file";
	case SHM_EC_NET: return "net";
	case SHM_EC_IPC: return "IPC";
	case SHM_EC_MEMORY: return "memory";
	case SHM_EC_PROCESS: return "process";
	case SHM_EC_SLEEP: return "sleep";
	case SHM_EC_SYSTEM: return "system";
	case SHM_EC_SIGNAL: return "signal";
	case SHM_EC_USER: return "user";
	case SHM_EC_TIME: return "time";
	case SHM_EC_PROCESSING: return "processing";
	case SHM_EC_IO_READ:
	case SHM_EC_IO_WRITE:
	case SHM_EC_IO_OTHER: return "I/O";
	case SHM_EC_WAIT: return "wait";
	case SHM_EC_SCHEDULER: return "scheduler";
	case SHM_EC_INTERNAL: return "internal";
	default: return "unknown";
	}
}

/* I/O events are filed under what their fd is. */
static const char *io_category(const struct eng_fd *fd)
{
	if (!fd)
		return "unknown";
	switch (fd->type) {
	case SHM_SCAP_FD_FILE:
	case SHM_SCAP_FD_FILE_V2:
	case SHM_SCAP_FD_DIRECTORY:
		return "file";
	case SHM_SCAP_FD_IPV4_SOCK:
	case SHM_SCAP_FD_IPV6_SOCK:
	case SHM_SCAP_FD_IPV4_SERVSOCK:
	case SHM_SCAP_FD_IPV6_SERVSOCK:
		return "net";
	case SHM_SCAP_FD_FIFO:
	case SHM_SCAP_FD_UNIX_SOCK:
	case SHM_SCAP_FD_EVENT:
	case SHM_SCAP_FD_SIGNALFD:
	case SHM_SCAP_FD_INOTIFY:
		return "ipc";
	default:
		return "other";
	}
}

/* The nanoseconds as ".%09u" at p (10 bytes, no NUL). */
static void put_ns(char *p, uint32_t ns)
{
	p[0] = '.';
	for (int i = 9; i >= 1; i--) {
		p[i] = (char)('0' + ns % 10);
		ns /= 10;
	}
}

/* localtime_r and strftime cost more than the rest of a line: events come
 * in time order, so the text of the last second seen is kept, per form. */
static const char *time_str(char *buf, size_t cap, uint64_t ts, int date, int ns)
{
	static _Thread_local struct {
		int valid;
		time_t secs;
		size_t len;
		char text[64];
	} memo[2];
	time_t secs = (time_t)(ts / 1000000000ull);
	if (!memo[date].valid || memo[date].secs != secs) {
		struct tm tm;
		localtime_r(&secs, &tm);
		memo[date].len = strftime(memo[date].text, sizeof(memo[date].text),
					  date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
		memo[date].secs = secs;
		memo[date].valid = 1;
	}
	size_t n = memo[date].len;
	if (n + 11 > cap) /* never with ENG_FIELD_BUF */
		n = 0;
	memcpy(buf, memo[date].text, n);
	if (ns && n + 11 <= cap) {
		put_ns(buf + n, (uint32_t)(ts % 1000000000ull));
		n += 10;
	}
	buf[n] = 0;
	return buf;
}

static int open_flags(const struct shm_evt *e, uint32_t *flags)
{
	unsigned i;
	uint64_t v;
	switch (e->type) {
	case SHM_EV_SYSCALL_OPEN_X: i = SHM_P_OPEN_X_FLAGS; break;
	case SHM_EV_SYSCALL_OPENAT_E: i = SHM_P_OPENAT_E_FLAGS; break;
	case SHM_EV_SYSCALL_OPENAT_2_X: i = SHM_P_OPENAT_2_X_FLAGS; break;
	case SHM_EV_SYSCALL_OPENAT2_X: i = SHM_P_OPENAT2_X_FLAGS; break;
	default: return 0;
	}
	if (shm_evt_get_u64(e, i, &v))
		return 0;
	*flags = (uint32_t)v;
	return 1;
}

static int arg_index(const struct eng_fieldref *ref, const struct shm_evt *e)
{
	if (ref->argmode == 2)
		return ref->argn < e->nparams ? (int)ref->argn : -1;
	if (e->info != &shm_event_table[e->type]) /* memfd_view()'s */
		return shm_info_param_index(e->info, ref->arg);
	return shm_evt_param_index(e->type, ref->arg);
}

/* The event that has parameter ref->arg, and its index: the event itself,
 * or with ENG_CTX_ENTER_ARGS its enter event when an exit lacks it. */
static const struct shm_evt *arg_event(const struct eng_fieldref *ref, const struct eng_ctx *c,
				       int *idx)
{
	const struct shm_evt *e = &c->ev->evt, *m = memfd_view(e);
	if (m)
		e = m;
	int i = arg_index(ref, e);
	if (i < 0 && (c->flags & ENG_CTX_ENTER_ARGS) && c->ev->enter &&
	    !shm_event_is_enter(e->type)) {
		e = c->ev->enter;
		i = arg_index(ref, e);
	}
	*idx = i;
	return i < 0 ? NULL : e;
}

static int extract_rawarg(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	int i;
	const struct shm_evt *e = arg_event(ref, c, &i);
	if (!e || e->vlen[i] == 0)
		return NA;
	const struct shm_param_info *pi = &e->info->params[i];
	if (ref->type == ENG_FT_STR) {
		char tmp[ENG_FIELD_BUF];
		int n = shm_fmt_value(e, (unsigned)i, tmp, sizeof(tmp));
		if (n < 0 && n != -ENOSPC)
			return NA;
		memcpy(ref->buf, tmp, sizeof(tmp));
		return str(v, ref->buf);
	}
	int64_t s;
	uint64_t u;
	switch (pi->type) {
	case SHM_PT_INT8: case SHM_PT_INT16: case SHM_PT_INT32: case SHM_PT_INT64:
	case SHM_PT_ERRNO: case SHM_PT_FD: case SHM_PT_PID:
		if (shm_evt_get_s64(e, (unsigned)i, &s))
			return NA;
		return num(v, s);
	default:
		if (shm_evt_get_u64(e, (unsigned)i, &u))
			return NA;
		return num(v, (int64_t)u);
	}
}

/* evt.target_traced: whether the process a signal goes to is in the traced
 * tree (kill, tkill, tgkill; the target is on the enter event). 0 and
 * -PGID name a process group, answered for by its leader; -1 reaches every
 * process the caller may signal, the tracer among them. */
static int target_traced(const struct eng_ctx *c, struct eng_value *v)
{
	const struct shm_evt *e = &c->ev->evt;
	const struct shm_evt *en = shm_event_is_enter(e->type) ? e : c->ev->enter;
	int64_t pid;
	if (!en)
		return NA;
	switch (en->type) {
	case SHM_EV_SYSCALL_KILL_E: pid = shm_evt_s64(en, SHM_P_KILL_E_PID, 0); break;
	case SHM_EV_SYSCALL_TKILL_E: pid = shm_evt_s64(en, SHM_P_TKILL_E_TID, 0); break;
	case SHM_EV_SYSCALL_TGKILL_E: pid = shm_evt_s64(en, SHM_P_TGKILL_E_TID, 0); break;
	default: return NA;
	}
	if (pid == -1)
		return num(v, 0);
	if (pid == 0) {
		struct eng_thread *m = eng_state_main_thread(c->st, c->ev->thread);
		if (!m || m->vpgid <= 0)
			return NA;
		pid = m->vpgid;
	}
	struct eng_thread *t = eng_state_thread(c->st, pid < 0 ? -pid : pid);
	if (!t)
		return NA;
	return num(v, t->traced || eng_state_main_thread(c->st, t)->traced);
}

int fields_extract_evt(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	const struct eng_event *ev = c->ev;
	const struct shm_evt *e = &ev->evt;
	int64_t res;
	uint32_t fl;
	int id = ref->info->id;

	switch (id) {
	case F_EVT_NUM: return num(v, (int64_t)ev->num);
	case F_EVT_TIME: return str(v, time_str(ref->buf, sizeof(ref->buf), e->ts, 0, 1));
	case F_EVT_TIME_S: return str(v, time_str(ref->buf, sizeof(ref->buf), e->ts, 0, 0));
	case F_EVT_DATETIME: return str(v, time_str(ref->buf, sizeof(ref->buf), e->ts, 1, 1));
	case F_EVT_RAWTIME: return num(v, (int64_t)e->ts);
	case F_EVT_RAWTIME_S: return num(v, (int64_t)(e->ts / 1000000000ull));
	case F_EVT_RAWTIME_NS: return num(v, (int64_t)(e->ts % 1000000000ull));
	case F_EVT_RELTIME: return num(v, (int64_t)(e->ts - c->first_ts));
	case F_EVT_DIR: return str(v, shm_event_is_enter(e->type) ? ">" : "<");
	case F_EVT_TYPE:
		if (memfd_view(e))
			return str(v, "memfd_create");
		if (e->type == SHM_EV_GENERIC_E || e->type == SHM_EV_GENERIC_X) {
			uint64_t sc;
			const char *nm;
			if (shm_evt_get_u64(e, SHM_P_GENERIC_E_ID, &sc) == 0 &&
			    (nm = shm_fmt_syscall_name((uint16_t)sc)))
				return str(v, nm);
		}
		return str(v, e->info->name);
	case F_EVT_CPU: return ev->cpuid == ENG_CPU_UNKNOWN ? NA : num(v, ev->cpuid);
	case F_EVT_ARGS:
	case F_EVT_INFO:
		eng_fmt_args(c, ref->buf, sizeof(ref->buf));
		return str(v, ref->buf);
	case F_EVT_ARG: {
		int i;
		const struct shm_evt *ae = arg_event(ref, c, &i);
		if (!ae)
			return NA;
		fmt_arg_of(c, ae, (unsigned)i, ref->buf, sizeof(ref->buf));
		return str(v, ref->buf);
	}
	case F_EVT_RAWARG: return extract_rawarg(ref, c, v);
	case F_EVT_BUFFER: {
		int i = shm_evt_param_index(e->type, "data");
		if (i < 0 || shm_event_is_enter(e->type) ||
		    e->info->params[i].type != SHM_PT_BYTEBUF)
			return NA;
		size_t n = e->vlen[i] < sizeof(ref->buf) - 1 ? e->vlen[i] : sizeof(ref->buf) - 1;
		memcpy(ref->buf, e->val[i], n);
		ref->buf[n] = 0;
		v->s = ref->buf;
		v->len = n;
		return 0;
	}
	case F_EVT_TARGET_TRACED: return target_traced(c, v);
	case F_EVT_ABI:
	case F_EVT_IS_COMPAT32: {
		/* pdig's extension on every event of a call not made through the
		 * x86_64 entry (shm_event.h); none: x86_64 */
		uint32_t n;
		const uint8_t *abi = shm_evt_ext(e, SHM_EXT_ABI, &n);
		int which = abi && n == 1 ? abi[0] : SHM_ABI_X86_64;
		if (id == F_EVT_IS_COMPAT32)
			return num(v, which != SHM_ABI_X86_64);
		if (e->info->category == SHM_EC_INTERNAL || e->type == SHM_EV_CONTAINER_JSON_E ||
		    e->type == SHM_EV_CONTAINER_JSON_2_E || e->type == SHM_EV_PROCEXIT_E ||
		    e->type == SHM_EV_PROCEXIT_1_E)
			return NA; /* not a call */
		return str(v, which == SHM_ABI_I386 ? "i386" : which == SHM_ABI_X32 ? "x32"
			      : which == SHM_ABI_X86_64 ? "x86_64" : "unknown");
	}
	case F_EVT_ASYNCTYPE:
		/* the events no syscall caused */
		switch (e->type) {
		case SHM_EV_CONTAINER_E:
		case SHM_EV_CONTAINER_JSON_E:
		case SHM_EV_CONTAINER_JSON_2_E:
			return str(v, "container");
		case SHM_EV_NOTIFICATION_E:
		case SHM_EV_INFRASTRUCTURE_EVENT_E:
			return str(v, e->info->name);
		default:
			return NA;
		}
	case F_EVT_RES:
		if (!event_res(e, &res))
			return NA;
		if (res >= 0)
			return str(v, "SUCCESS");
		{
			const char *nm = shm_fmt_errno_name(res);
			if (nm)
				return str(v, nm);
			snprintf(ref->buf, sizeof(ref->buf), "%" PRId64, res);
			return str(v, ref->buf);
		}
	case F_EVT_RAWRES: return event_res(e, &res) ? num(v, res) : NA;
	case F_EVT_FAILED: return num(v, event_res(e, &res) && res < 0);
	case F_EVT_IS_OPEN_READ: return num(v, open_flags(e, &fl) && (fl & SHM_PPM_O_RDONLY));
	case F_EVT_IS_OPEN_WRITE: return num(v, open_flags(e, &fl) && (fl & SHM_PPM_O_WRONLY));
	case F_EVT_IS_OPEN_EXEC: {
		/* created (O_CREAT, O_TMPFILE) with an execute bit in the mode */
		int mi = shm_evt_param_index(e->type, "mode");
		int created = e->type == SHM_EV_SYSCALL_CREAT_X || e->type == SHM_EV_SYSCALL_CREAT_E ||
			      (open_flags(e, &fl) && (fl & (SHM_PPM_O_CREAT | SHM_PPM_O_TMPFILE)));
		uint32_t mode = mi >= 0 ? (uint32_t)shm_evt_u64(e, (unsigned)mi, 0) : 0;
		return num(v, created && (mode & 0111));
	}
	case F_EVT_CATEGORY:
		if (memfd_view(e))
			return str(v, category_name(shm_memfd_create_x_info.category));
		if (e->type == SHM_EV_GENERIC_E || e->type == SHM_EV_GENERIC_X) {
			/* a syscall without its own event: its category from the
			 * driver's syscall table, by the event's ID */
			uint64_t sc64;
			uint16_t sc;
			if (shm_evt_get_u64(e, SHM_P_GENERIC_E_ID, &sc64) < 0 ||
			    (sc = (uint16_t)sc64) >= SHM_PPM_SC_COUNT)
				return str(v, "unknown");
			uint16_t cat = shm_ppm_sc_category[sc];
			/* I/O with no fd to file it under, as libsinsp says */
			if (cat == SHM_EC_IO_READ || cat == SHM_EC_IO_WRITE || cat == SHM_EC_IO_OTHER)
				return str(v, io_category(NULL));
			return str(v, category_name(cat));
		}
		if (e->info->category == SHM_EC_IO_READ || e->info->category == SHM_EC_IO_WRITE ||
		    e->info->category == SHM_EC_IO_OTHER)
			return str(v, io_category(ev->evt_fd));
		return str(v, category_name(e->info->category));
	case F_EVT_COUNT: return num(v, 1);
	case F_EVT_LATENCY: return num(v, (int64_t)ev->latency);
	case F_EVT_IS_IO:
		return num(v, (e->info->flags & (SHM_EF_READS_FROM_FD | SHM_EF_WRITES_TO_FD)) != 0);
	case F_EVT_IS_IO_READ: return num(v, (e->info->flags & SHM_EF_READS_FROM_FD) != 0);
	case F_EVT_IS_IO_WRITE: return num(v, (e->info->flags & SHM_EF_WRITES_TO_FD) != 0);
	case F_EVT_IS_WAIT: return num(v, (e->info->flags & SHM_EF_WAITS) != 0);
	case F_EVT_HOSTNAME: return str(v, c->st->hostname);
	}
	return NA;
}

/* ---- %evt.args with the stateful decorations ---- */

/* The stateful resolved part of parameter i: 1 with out filled (maybe
 * empty), or 0 when the parameter's resolution is stateless. */
static int resolve_stateful(const struct eng_ctx *c, const struct shm_evt *e, unsigned i,
			    char *out, size_t cap)
{
	const struct shm_param_info *pi = &e->info->params[i];
	struct eng_thread *t = c->ev->thread;
	int64_t val;
	out[0] = 0;
	switch (pi->type) {
	case SHM_PT_FD: {
		if (shm_evt_get_s64(e, i, &val) || val < 0)
			return 0; /* errors and AT_FDCWD are named without state */
		struct eng_fd *fd = eng_state_fd(t, val);
		if (!fd)
			return 1;
		const char *l4 = "";
		/* like sysdig, the protocol letter shows once the socket has a peer */
		if (is_ip_sock(fd) && fd->role != ENG_ROLE_NONE) {
			switch (fd->l4proto) {
			case ENG_L4_TCP: l4 = "t"; break;
			case ENG_L4_UDP: l4 = "u"; break;
			case ENG_L4_ICMP: l4 = "i"; break;
			case ENG_L4_RAW: l4 = "r"; break;
			}
		}
		snprintf(out, cap, "<%s%s>%s", eng_fd_typechar(fd), l4, fd->name);
		return 1;
	}
	case SHM_PT_PID: {
		if (shm_evt_get_s64(e, i, &val))
			return 1;
		struct eng_thread *p = eng_state_thread(c->st, val);
		if (p && p->comm)
			snprintf(out, cap, "%s", p->comm);
		return 1;
	}
	case SHM_PT_UID:
	case SHM_PT_GID: {
		uint64_t id64;
		if (shm_evt_get_u64(e, i, &id64))
			return 1;
		uint32_t id = (uint32_t)id64;
		if (id == UINT32_MAX)
			return 0; /* -1, "no change": sysdig's <NONE>, not a user */
		const char *nm = NULL;
		if (pi->type == SHM_PT_UID) {
			const struct eng_user *u = eng_state_user(c->st, id);
			nm = u ? u->name : NULL;
		} else {
			const struct eng_group *g = eng_state_group(c->st, id);
			nm = g ? g->name : NULL;
		}
		snprintf(out, cap, "%s", nm ? nm : "<NA>");
		return 1;
	}
	case SHM_PT_FSPATH:
	case SHM_PT_FSRELPATH: {
		const char *path = shm_evt_str(e, i);
		if (!path || path[0] == '/' || !t)
			return 1;
		const char *dir = eng_state_cwd(c->st, t);
		char dbuf[ENG_FIELD_BUF];
		if (pi->type == SHM_PT_FSRELPATH) {
			int64_t dirfd;
			if (shm_evt_get_s64(e, pi->dirfd, &dirfd))
				return 1;
			/* sysdig shows an unknown dirfd's path joined to "" */
			dir = eng_state_at_dir(c->st, t, dirfd, "", dbuf, sizeof(dbuf));
		}
		eng_path_join(dir, path, out, cap);
		return 1;
	}
	default:
		return 0;
	}
}

static int resolved_part(const struct eng_ctx *c, const struct shm_evt *e, unsigned i, char *out,
			 size_t cap)
{
	if (resolve_stateful(c, e, i, out, cap))
		return (int)strlen(out);
	int n = shm_fmt_resolved(e, i, out, cap);
	if (n < 0 && n != -ENOSPC)
		out[0] = 0;
	return (int)strlen(out);
}

int eng_fmt_args(const struct eng_ctx *c, char *out, size_t cap)
{
	const struct shm_evt *e = &c->ev->evt;
	size_t pos = 0;
	char val[ENG_FIELD_BUF], res[ENG_FIELD_BUF];
	if (cap == 0)
		return 0;
	out[0] = 0;
	/* sysdig shows no arguments for the generic syscall events; memfd_create's
	 * exit shows those pdig's extension gives, as Falco's event has them */
	if ((e->type == SHM_EV_GENERIC_E || e->type == SHM_EV_GENERIC_X) && !(e = memfd_view(e)))
		return 0;
	for (unsigned i = 0; i < e->nparams && pos + 1 < cap; i++) {
		int n = shm_fmt_value(e, i, val, sizeof(val));
		if (n < 0 && n != -ENOSPC)
			val[0] = 0;
		int r = resolved_part(c, e, i, res, sizeof(res));
		int w = r > 0 ? snprintf(out + pos, cap - pos, "%s=%s(%s) ", e->info->params[i].name,
					 val, res)
			      : snprintf(out + pos, cap - pos, "%s=%s ", e->info->params[i].name, val);
		if (w < 0)
			break;
		pos += (size_t)w;
		if (pos >= cap) {
			pos = cap - 1;
			break;
		}
	}
	return (int)pos;
}

static int fmt_arg_of(const struct eng_ctx *c, const struct shm_evt *e, unsigned i, char *out,
		      size_t cap)
{
	char res[ENG_FIELD_BUF];
	if (resolved_part(c, e, i, res, sizeof(res)) > 0) {
		snprintf(out, cap, "%s", res);
		return (int)strlen(out);
	}
	return shm_fmt_value(e, i, out, cap);
}

int eng_fmt_arg(const struct eng_ctx *c, unsigned i, char *out, size_t cap)
{
	return fmt_arg_of(c, &c->ev->evt, i, out, cap);
}
