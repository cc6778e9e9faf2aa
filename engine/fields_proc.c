/* proc.* and thread.* fields: the event's thread and its process, parent,
 * ancestors, command line and environment. */
#include <stdio.h>
#include <string.h>

#include "fields_impl.h"

/* "a b c" from NUL-separated args. */
static void join_args(char *out, size_t cap, size_t *pos, const char *args, uint32_t len)
{
	for (uint32_t i = 0; i < len && *pos + 1 < cap;) {
		const char *a = args + i;
		size_t n = strnlen(a, len - i);
		if (*pos && *pos + 1 < cap)
			out[(*pos)++] = ' ';
		size_t k = n < cap - 1 - *pos ? n : cap - 1 - *pos;
		memcpy(out + *pos, a, k);
		*pos += k;
		i += (uint32_t)n + 1;
	}
	out[*pos] = 0;
}

static const char *cmdline(const struct eng_thread *t, int use_exe, char *out, size_t cap)
{
	const char *first = use_exe ? t->exe : t->comm;
	size_t pos = strlen(first);
	if (pos > cap - 1)
		pos = cap - 1;
	memcpy(out, first, pos);
	out[pos] = 0;
	join_args(out, cap, &pos, t->args, t->args_len);
	return out;
}

/* proc.cmdline and the like of thread t into ref->buf, rebuilt only when
 * the ref last built it for another thread or t's command line changed
 * (text_gen is never reused, so one number says both). */
static int thread_text(struct eng_fieldref *ref, const struct eng_ctx *c,
		       const struct eng_thread *t, int id, struct eng_value *v)
{
	if (ref->memo_st != c->st || ref->memo_gen != t->text_gen) {
		if (id == F_PROC_ARGS) {
			size_t pos = 0;
			ref->buf[0] = 0;
			join_args(ref->buf, sizeof(ref->buf), &pos, t->args, t->args_len);
		} else {
			cmdline(t, id == F_PROC_EXELINE, ref->buf, sizeof(ref->buf));
		}
		ref->memo_st = c->st;
		ref->memo_gen = t->text_gen;
		ref->memo_len = strlen(ref->buf);
	}
	v->s = ref->buf;
	v->len = ref->memo_len;
	return 0;
}

static struct eng_thread *ancestor(const struct eng_ctx *c, struct eng_thread *t, int64_t n)
{
	struct eng_thread *a = eng_state_main_thread(c->st, t);
	for (int64_t i = 0; a && i < n; i++)
		a = eng_state_parent(c->st, a);
	return a;
}

/* The ancestors' names (exes, exe paths) from the parent up, separated by
 * spaces; not available when no ancestor is known. */
static int ancestors_list(struct eng_fieldref *ref, const struct eng_ctx *c,
			  struct eng_thread *t, struct eng_value *v)
{
	size_t pos = 0;
	ref->buf[0] = 0;
	for (int64_t k = 1; k < 64; k++) {
		struct eng_thread *a = ancestor(c, t, k);
		if (!a || a->placeholder)
			break;
		char line[1024];
		const char *s = ref->info->id == F_PROC_ANAME ? a->comm
				: ref->info->id == F_PROC_AEXE ? a->exe
				: ref->info->id == F_PROC_ACMDLINE ? cmdline(a, 0, line, sizeof(line))
				: a->exepath;
		int n = snprintf(ref->buf + pos, sizeof(ref->buf) - pos, "%s%s", pos ? " " : "", s);
		if (n < 0 || (size_t)n >= sizeof(ref->buf) - pos)
			break;
		pos += (size_t)n;
	}
	return pos ? str(v, ref->buf) : NA;
}

/* proc.env[NAME]: the value of NAME (proc.env[N]: the Nth entry, whole). */
static int env_value(struct eng_fieldref *ref, const struct eng_thread *m, struct eng_value *v)
{
	size_t nl = strlen(ref->arg);
	int64_t k = 0;
	for (uint32_t i = 0; i < m->env_len; k++) {
		const char *a = m->env + i;
		size_t n = strnlen(a, m->env_len - i);
		if (ref->argmode == 2 ? k == ref->argn
				      : n > nl && a[nl] == '=' && !strncmp(a, ref->arg, nl)) {
			const char *val = ref->argmode == 2 ? a : a + nl + 1;
			size_t len = n - (size_t)(val - a);
			if (len >= sizeof(ref->buf))
				len = sizeof(ref->buf) - 1;
			memcpy(ref->buf, val, len);
			ref->buf[len] = 0;
			return str(v, ref->buf);
		}
		i += (uint32_t)n + 1;
	}
	return NA;
}

/* The thread's fields (eng_field_extract has checked that t is known and
 * no placeholder). */
int fields_extract_proc(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_thread *t,
			int id, struct eng_value *v)
{
	const struct shm_evt *e = &c->ev->evt;
	struct eng_thread *m = eng_state_main_thread(c->st, t), *p;
	switch (id) {
	case F_PROC_PID: return num(v, t->pid);
	case F_PROC_EXE: return str(v, t->exe);
	case F_PROC_NAME: return str(v, t->comm);
	case F_PROC_ARGS:
	case F_PROC_CMDLINE:
	case F_PROC_EXELINE: return thread_text(ref, c, t, id, v);
	case F_PROC_CWD: return str(v, eng_state_cwd(c->st, t));
	case F_PROC_PPID: return num(v, m->ptid);
	case F_PROC_PNAME:
		p = eng_state_thread(c->st, t->ptid);
		return p && !p->placeholder ? str(v, p->comm) : NA;
	case F_PROC_PCMDLINE:
		p = eng_state_thread(c->st, t->ptid);
		return p && !p->placeholder ? thread_text(ref, c, p, F_PROC_CMDLINE, v) : NA;
	case F_PROC_APID:
	case F_PROC_ANAME:
		/* without an index, filters match any ancestor (filter.c); a value
		 * is today's Falco's: apid the process's own pid, aname the
		 * ancestors' names */
		if (ref->argmode != 2)
			return id == F_PROC_APID ? num(v, t->pid) : ancestors_list(ref, c, t, v);
		p = ancestor(c, t, ref->argn);
		if (!p)
			return NA;
		return id == F_PROC_APID ? num(v, p->pid) : str(v, p->comm);
	case F_PROC_EXEPATH: return str(v, t->exepath);
	case F_PROC_SID: return num(v, t->sid);
	case F_PROC_VPGID: return num(v, t->vpgid);
	case F_PROC_TTY: return num(v, (int32_t)t->tty);
	case F_PROC_VPID: return num(v, t->vpid);
	case F_PROC_NTHREADS: {
		uint32_t n = 0;
		for (size_t i = 0; i < c->st->threads.cap; i++) {
			struct eng_thread *x = c->st->threads.slots[i].val;
			if (x && x->pid == t->pid)
				n++;
		}
		return num(v, n);
	}
	case F_PROC_DURATION:
		/* the thread's own start, as sysdig 0.29.3 has it */
		return t->clone_ts ? num(v, (int64_t)(e->ts - t->clone_ts)) : NA;
	case F_PROC_SNAME: {
		/* up the ancestry to the session leader, else to the eldest
		 * ancestor still in the session (sysdig 0.29.3 stops there too) */
		struct eng_thread *a = m;
		for (int k = 0; k < 256 && a->pid != m->sid; k++) {
			struct eng_thread *up = eng_state_parent(c->st, a);
			if (!up || up->sid != m->sid)
				break;
			a = up;
		}
		return str(v, a->comm);
	}
	case F_PROC_PEXE:
	case F_PROC_PEXEPATH:
		p = eng_state_parent(c->st, t);
		if (!p || p->placeholder)
			return NA;
		return str(v, id == F_PROC_PEXE ? p->exe : p->exepath);
	case F_PROC_AEXE:
	case F_PROC_AEXEPATH:
		if (ref->argmode != 2)
			return ancestors_list(ref, c, t, v);
		p = ancestor(c, t, ref->argn);
		if (!p || p->placeholder)
			return NA;
		return str(v, id == F_PROC_AEXE ? p->exe : p->exepath);
	case F_PROC_ACMDLINE:
		if (ref->argmode != 2)
			return ancestors_list(ref, c, t, v);
		p = ancestor(c, t, ref->argn);
		if (!p || p->placeholder)
			return NA;
		return thread_text(ref, c, p, F_PROC_CMDLINE, v);
	case F_THREAD_TID: return num(v, t->tid);
	case F_THREAD_ISMAIN: return num(v, t->tid == t->pid);
	case F_THREAD_VTID: return num(v, t->vtid);
	case F_PROC_IS_EXE_WRITABLE: return num(v, m->exe_writable);
	case F_PROC_IS_ENTRYPOINT: {
		int r = eng_state_is_entrypoint(c->st, t);
		return r < 0 ? NA : num(v, r);
	}
	case F_PROC_IS_EXE_FROM_MEMFD:
		/* the kernel names a memfd's file "memfd:NAME" (/proc/PID/exe
		 * "/memfd:NAME (deleted)") */
		return num(v, m->exe_memfd);
	case F_PROC_IS_EXE_UPPER_LAYER:
		/* known only when a tracer sets execve's overlayfs flag: no flag is
		 * no answer, not "false" */
		return m->exe_upper ? num(v, 1) : NA;
	case F_PROC_ENV:
		/* no environment known is an empty one, as in sysdig */
		if (!m->env)
			return ref->argmode == 0 ? str(v, "") : NA;
		if (ref->argmode == 0) {
			size_t pos = 0;
			ref->buf[0] = 0;
			join_args(ref->buf, sizeof(ref->buf), &pos, m->env, m->env_len);
			return str(v, ref->buf);
		}
		return env_value(ref, m, v);
	case F_PROC_IS_VPGID_LEADER: return num(v, m->vpgid > 0 && m->pid == m->vpgid);
	case F_PROC_VPGID_NAME:
	case F_PROC_VPGID_EXE:
		p = m->vpgid > 0 ? eng_state_thread(c->st, m->vpgid) : NULL;
		if (!p || p->placeholder)
			return NA;
		return str(v, id == F_PROC_VPGID_NAME ? p->comm : p->exe);
	}
	return NA;
}
