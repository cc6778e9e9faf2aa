/*
 * Test helpers: build driver-format events in memory and feed them to an
 * engine state, the way a source would. Used by the engine's Check suites.
 */
#ifndef TEST_ENGINE_EVGEN_H
#define TEST_ENGINE_EVGEN_H

#include <check.h>
#include <string.h>

#include "eng_fields.h"
#include "eng_state.h"
#include "shm_event.h"

struct fx {
	struct eng_state *st;
	struct eng_event ev;
	struct eng_ctx ctx;
	uint8_t buf[8192];
	struct shm_enc e;
	uint64_t ts;
};

static inline void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(eng_state_new(&f->st), 0);
	f->ctx.st = f->st;
	f->ctx.ev = &f->ev;
	f->ts = 1000000000ull;
}

static inline void fx_free(struct fx *f) { eng_state_free(f->st); }

static inline void fx_proc(struct fx *f, int64_t tid, int64_t pid, int64_t ptid, const char *comm,
			   const char *cwd, uint32_t uid)
{
	struct shm_scap_proc p = {.tid = (uint64_t)tid, .pid = (uint64_t)pid, .ptid = (uint64_t)ptid,
				  .comm = comm, .exe = comm, .exepath = "", .args = "", .cwd = cwd,
				  .uid = uid, .gid = uid, .vtid = tid, .vpid = pid};
	ck_assert_int_eq(eng_state_add_proc(f->st, &p), 0);
}

static inline void fx_begin(struct fx *f, uint16_t type, int64_t tid)
{
	f->ts += 1000;
	ck_assert_int_eq(shm_enc_begin(&f->e, f->buf, sizeof(f->buf), type, f->ts, (uint64_t)tid), 0);
}

/* Ends the event, decodes it and applies it to the state. */
static inline void fx_end(struct fx *f)
{
	int len = shm_enc_end(&f->e);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(shm_evt_decode(&f->ev.evt, f->buf, (size_t)len, NULL, 0), 0);
	f->ev.num++;
	eng_state_apply(f->st, &f->ev);
}

static inline void fx_open(struct fx *f, int64_t tid, const char *path, uint32_t flags, int64_t fd)
{
	fx_begin(f, SHM_EV_SYSCALL_OPEN_E, tid);
	shm_enc_str(&f->e, path); shm_enc_u32(&f->e, flags); shm_enc_u32(&f->e, 0);
	fx_end(f);
	fx_begin(f, SHM_EV_SYSCALL_OPEN_X, tid);
	shm_enc_s64(&f->e, fd); shm_enc_str(&f->e, path); shm_enc_u32(&f->e, flags);
	shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0);
	fx_end(f);
}

static inline void fx_fd_enter(struct fx *f, uint16_t type, int64_t tid, int64_t fd)
{
	fx_begin(f, type, tid);
	shm_enc_s64(&f->e, fd);
	for (unsigned i = 1; i < shm_event_table[type].nparams; i++)
		shm_enc_empty(&f->e);
	fx_end(f);
}

static inline void fx_res_exit(struct fx *f, uint16_t type, int64_t tid, int64_t res)
{
	fx_begin(f, type, tid);
	shm_enc_s64(&f->e, res);
	for (unsigned i = 1; i < shm_event_table[type].nparams; i++)
		shm_enc_empty(&f->e);
	fx_end(f);
}

static inline void fx_close(struct fx *f, int64_t tid, int64_t fd, int64_t res)
{
	fx_fd_enter(f, SHM_EV_SYSCALL_CLOSE_E, tid, fd);
	fx_res_exit(f, SHM_EV_SYSCALL_CLOSE_X, tid, res);
}

/* clone()'s exit: on the caller's side (res = child) or the child's (0). */
static inline void fx_clone_x(struct fx *f, int64_t tid, int64_t res, int64_t pid, int64_t ptid,
			      const char *comm, uint32_t flags)
{
	fx_begin(f, SHM_EV_SYSCALL_CLONE_20_X, tid);
	shm_enc_s64(&f->e, res); shm_enc_str(&f->e, comm); shm_enc_param(&f->e, "a\0b", 4);
	shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, pid); shm_enc_s64(&f->e, ptid);
	shm_enc_str(&f->e, "/"); shm_enc_s64(&f->e, 1024); shm_enc_u64(&f->e, 0);
	shm_enc_u64(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0);
	shm_enc_str(&f->e, comm); shm_enc_empty(&f->e); shm_enc_u32(&f->e, flags);
	shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_s64(&f->e, tid);
	shm_enc_s64(&f->e, pid);
	fx_end(f);
}

static inline void fx_execve(struct fx *f, int64_t tid, const char *path, const char *comm,
			     int64_t res)
{
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_E, tid);
	shm_enc_str(&f->e, path);
	fx_end(f);
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_X, tid);
	shm_enc_s64(&f->e, res); shm_enc_str(&f->e, comm); shm_enc_param(&f->e, "-x\0", 3);
	shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, -1);
	shm_enc_str(&f->e, "/"); shm_enc_u64(&f->e, 1024); shm_enc_u64(&f->e, 0);
	shm_enc_u64(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0);
	shm_enc_str(&f->e, comm); shm_enc_empty(&f->e); shm_enc_empty(&f->e);
	shm_enc_u32(&f->e, 0); shm_enc_s64(&f->e, tid); shm_enc_u32(&f->e, 0);
	shm_enc_u32(&f->e, 0);
	fx_end(f);
}

static inline void fx_procexit(struct fx *f, int64_t tid)
{
	fx_begin(f, SHM_EV_PROCEXIT_1_E, tid);
	shm_enc_s64(&f->e, 0); shm_enc_s64(&f->e, 0); shm_enc_u8(&f->e, 0); shm_enc_u8(&f->e, 0);
	fx_end(f);
}

/* A field of the current event as text, or "<NA>". */
static inline const char *fx_field(struct fx *f, const char *name, char *out, size_t cap)
{
	static struct eng_fieldref ref;
	struct eng_value v;
	char why[128];
	/* the -p scanner, so that "proc.aname[1]" works too */
	ck_assert_msg(eng_field_scan(&ref, name, why, sizeof(why)) == (int)strlen(name), "%s: %s",
		      name, why);
	if (eng_field_extract(&ref, &f->ctx, &v)) {
		eng_fieldref_clear(&ref);
		return "<NA>";
	}
	const char *s = eng_value_str(&ref, &v, out, cap);
	if (s != out) {
		strncpy(out, s, cap - 1);
		out[cap - 1] = 0;
	}
	eng_fieldref_clear(&ref);
	return out;
}

#endif
