/*
 * Capture metadata (see shm_scap.h): the tables of machine info,
 * processes, fds, users, groups and interfaces, and the parsers that fill
 * them from MI, PL, FDL, UL and IL blocks (every version libscap reads),
 * through a bounds-checked cursor that trusts no length. Blocks come from
 * a capture file (scap_read.c) or from memory (shm_scap_meta_parse: the
 * ring's metadata records). No file reading here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scap_impl.h"

#define ARENA_CHUNK (64u * 1024u)

static int pfail(struct shm_scap_pctx *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void pwarn(struct shm_scap_pctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int pfail(struct shm_scap_pctx *x, int err, const char *fmt, ...)
{
	if (x->err && x->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->err, x->errlen, fmt, ap);
		va_end(ap);
	}
	return err;
}

void shm_scap_vwarn(FILE *out, uint64_t *skipped, const char *fmt, va_list ap)
{
	(*skipped)++;
	if (!out)
		return;
	fputs("scap: skipped: ", out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
}

static void pwarn(struct shm_scap_pctx *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	shm_scap_vwarn(x->warn, x->skipped, fmt, ap);
	va_end(ap);
}

const char *shm_scap_btype_name(uint32_t t)
{
	switch (t) {
	case SHM_SCAP_SHB: return "section header";
	case SHM_SCAP_MI: case BT_MI_INT: return "machine info";
	case SHM_SCAP_PL_V9: case BT_PL_V1: case BT_PL_V1_INT: case BT_PL_V2:
	case BT_PL_V2_INT: case BT_PL_V3: case BT_PL_V3_INT: case BT_PL_V4:
	case BT_PL_V5: case BT_PL_V6: case BT_PL_V7: case BT_PL_V8:
		return "process list";
	case SHM_SCAP_FDL_V2: case BT_FDL_V1: case BT_FDL_V1_INT: return "fd list";
	case SHM_SCAP_EV_V2: case SHM_SCAP_EV_V2_LARGE: case BT_EV_V1: case BT_EV_V1_INT:
		return "event";
	case SHM_SCAP_EVF_V2: case SHM_SCAP_EVF_V2_LARGE: case BT_EVF_V1:
		return "event with flags";
	case SHM_SCAP_IL_V2: case BT_IL_V1: case BT_IL_V1_INT: return "interface list";
	case SHM_SCAP_UL_V2: case BT_UL_V1: case BT_UL_V1_INT: return "user list";
	default: return "unknown";
	}
}

/* ---- reader-owned strings ---- */

static char *arena_copy(struct shm_scap_meta *m, const void *p, size_t n)
{
	struct shm_scap_arena *a = m->arena;
	if (!a || a->cap - a->used < n + 1) {
		size_t cap = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
		a = malloc(sizeof *a + cap);
		if (!a)
			return NULL;
		a->used = 0;
		a->cap = cap;
		a->next = m->arena;
		m->arena = a;
	}
	char *s = a->data + a->used;
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	a->used += n + 1;
	return s;
}

/* Grows *arr (of *cap elements of size sz) to hold one more; 0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, nc * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

/* ---- bounds-checked parsing of a block body ---- */

struct cur {
	struct shm_scap_pctx *x;
	const uint8_t *p;
	size_t len, pos;
	uint64_t base;    /* file offset of p[0] */
	const char *what; /* the entry being parsed, for messages */
	uint64_t what_off;
	int err;
};

static int c_fail(struct cur *c, const char *field, size_t need)
{
	if (!c->err)
		c->err = pfail(c->x, -EBADMSG,
			      "offset %" PRIu64 ": block type 0x%x (%s): %s at offset %" PRIu64
			      ": %s needs %zu bytes, only %zu left in the %s",
			      c->x->boff, c->x->btype, shm_scap_btype_name(c->x->btype), c->what,
			      c->what_off, field, need, c->len - c->pos, c->what);
	return c->err;
}

static int c_get(struct cur *c, void *out, size_t n, const char *field)
{
	if (c->err)
		return c->err;
	if (c->len - c->pos < n)
		return c_fail(c, field, n);
	memcpy(out, c->p + c->pos, n);
	c->pos += n;
	return 0;
}

static uint8_t c_u8(struct cur *c, const char *f) { uint8_t v = 0; c_get(c, &v, 1, f); return v; }
static uint16_t c_u16(struct cur *c, const char *f) { uint16_t v = 0; c_get(c, &v, 2, f); return v; }
static uint32_t c_u32(struct cur *c, const char *f) { uint32_t v = 0; c_get(c, &v, 4, f); return v; }
static uint64_t c_u64(struct cur *c, const char *f) { uint64_t v = 0; c_get(c, &v, 8, f); return v; }

/* u16 length + bytes, copied NUL-terminated into the arena. */
static const char *c_str(struct cur *c, const char *field, uint32_t *lenp)
{
	uint16_t n = c_u16(c, field);
	if (c->err)
		return "";
	if (c->len - c->pos < n) {
		c_fail(c, field, n);
		return "";
	}
	const char *s = arena_copy(c->x->m, c->p + c->pos, n);
	if (!s) {
		c->err = pfail(c->x, -ENOMEM, "out of memory reading the %s", c->what);
		return "";
	}
	c->pos += n;
	if (lenp)
		*lenp = n;
	return s;
}

static int c_left(const struct cur *c, size_t n) { return !c->err && c->len - c->pos >= n; }

/* A sub-cursor over the next n bytes of c (an entry with a length word). */
static struct cur c_sub(struct cur *c, size_t n)
{
	struct cur s = *c;
	s.p = c->p + c->pos;
	s.base = c->base + c->pos;
	s.len = n;
	s.pos = 0;
	return s;
}

/* Checks an entry's own length word (which covers `self` bytes of itself). */
static int entry_len_ok(struct cur *c, uint32_t sub_len, size_t min, size_t consumed)
{
	if (sub_len < min || sub_len - consumed > c->len - c->pos) {
		c->err = pfail(c->x, -EBADMSG,
			      "offset %" PRIu64 ": block type 0x%x (%s): %s at offset %" PRIu64
			      ": entry length %u does not fit (minimum %zu, %zu bytes left in the block)",
			      c->x->boff, c->x->btype, shm_scap_btype_name(c->x->btype), c->what,
			      c->what_off, sub_len, min, c->len - c->pos + consumed);
		return c->err;
	}
	return 0;
}

/* ---- metadata blocks ---- */

static int parse_mi(struct shm_scap_pctx *x, struct cur *c)
{
	struct shm_scap_meta *m = x->m;
	uint8_t body[SHM_SCAP_MI_LEN];
	c->what = "machine info";
	c->what_off = c->base;
	if (c_get(c, body, sizeof body, "the machine info record"))
		return c->err;
	memcpy(&m->mi.num_cpus, body, 4);
	memcpy(&m->mi.memory_size_bytes, body + 4, 8);
	memcpy(&m->mi.max_pid, body + 12, 8);
	size_t n = strnlen((const char *)body + 20, SHM_SCAP_HOSTNAME_LEN - 1);
	memcpy(m->hostname, body + 20, n);
	m->hostname[n] = 0;
	m->mi.hostname = m->hostname;
	m->have_mi = 1;
	return 0;
}

/* Which fields a process-list version has (libscap's history). */
static int pl_version(uint32_t t)
{
	switch (t) {
	case BT_PL_V1: case BT_PL_V1_INT: return 1;
	case BT_PL_V2: case BT_PL_V2_INT: return 2;
	case BT_PL_V3: case BT_PL_V3_INT: return 3;
	case BT_PL_V4: return 4;
	case BT_PL_V5: return 5;
	case BT_PL_V6: return 6;
	case BT_PL_V7: return 7;
	case BT_PL_V8: return 8;
	default: return 9;
	}
}

static int parse_proc(struct cur *c, int ver, struct shm_scap_proc *p)
{
	memset(p, 0, sizeof *p);
	p->sid = (uint64_t)-1;
	p->vpgid = (uint64_t)-1;
	p->vtid = -1;
	p->vpid = -1;
	p->loginuid = -1;
	p->comm = p->exe = p->exepath = p->args = p->env = p->cwd = p->cgroups = p->root = "";
	p->tid = c_u64(c, "tid");
	p->pid = c_u64(c, "pid");
	p->ptid = c_u64(c, "ptid");
	if (ver >= 6)
		p->sid = c_u64(c, "sid");
	if (ver >= 8)
		p->vpgid = c_u64(c, "vpgid");
	p->comm = c_str(c, "comm", NULL);
	p->exe = c_str(c, "exe", NULL);
	if (ver >= 7)
		p->exepath = c_str(c, "exepath", NULL);
	p->args = c_str(c, "args", &p->args_len);
	p->cwd = c_str(c, "cwd", NULL);
	p->fdlimit = (int64_t)c_u64(c, "fdlimit");
	p->flags = c_u32(c, "flags");
	p->uid = c_u32(c, "uid");
	p->gid = c_u32(c, "gid");
	if (ver >= 2) {
		p->vmsize_kb = c_u32(c, "vmsize");
		p->vmrss_kb = c_u32(c, "vmrss");
		p->vmswap_kb = c_u32(c, "vmswap");
		p->pfmajor = c_u64(c, "pfmajor");
		p->pfminor = c_u64(c, "pfminor");
	}
	if (ver >= 3)
		p->env = c_str(c, "env", &p->env_len);
	if (ver >= 4) {
		p->vtid = (int64_t)c_u64(c, "vtid");
		p->vpid = (int64_t)c_u64(c, "vpid");
		p->cgroups = c_str(c, "cgroups", &p->cgroups_len);
	}
	if (ver >= 5)
		p->root = c_str(c, "root", NULL);
	/* fields appended later: present if the entry is long enough */
	if (ver >= 9 && c_left(c, 4))
		p->loginuid = (int32_t)c_u32(c, "loginuid");
	if (ver >= 9 && c_left(c, 1))
		p->exe_writable = c_u8(c, "exe_writable");
	return c->err;
}

static int parse_pl(struct shm_scap_pctx *x, struct cur *c)
{
	struct shm_scap_meta *m = x->m;
	int ver = pl_version(x->btype);
	c->what = "process entry";
	while (c->len - c->pos >= 4 && !c->err) {
		struct shm_scap_proc p;
		c->what_off = c->base + c->pos;
		if (grow((void **)&m->procs, &m->capprocs, m->nprocs, sizeof p))
			return pfail(x, -ENOMEM, "out of memory reading the process list");
		if (ver == 9) {
			uint32_t sub_len = c_u32(c, "entry length");
			if (entry_len_ok(c, sub_len, 4, 4))
				return c->err;
			struct cur e = c_sub(c, sub_len - 4);
			/* the entry's length word counts itself: fields start after it */
			if (parse_proc(&e, ver, &p))
				return c->err = e.err;
			c->pos += sub_len - 4; /* skips fields newer than ours */
		} else if (parse_proc(c, ver, &p)) {
			return c->err;
		}
		m->procs[m->nprocs++] = p;
	}
	return c->err;
}

static struct shm_scap_fdset *fdset_for(struct shm_scap_meta *m, uint64_t tid)
{
	for (size_t i = 0; i < m->nfdsets; i++)
		if (m->fdsets[i].tid == tid)
			return &m->fdsets[i];
	if (grow((void **)&m->fdsets, &m->capfdsets, m->nfdsets, sizeof *m->fdsets))
		return NULL;
	struct shm_scap_fdset *s = &m->fdsets[m->nfdsets++];
	if (m->nfdsets > m->hwfdsets) {
		memset(s, 0, sizeof *s);
		m->hwfdsets = m->nfdsets;
	}
	s->n = 0; /* a set left by a clear or a failed block keeps its array */
	s->tid = tid;
	return s;
}

/* One fd entry; 1 if it was skipped (a type we do not know, V2 only). */
static int parse_fd(struct cur *c, int v2, struct shm_scap_fd *f)
{
	memset(f, 0, sizeof *f);
	f->name = "";
	f->fd = (int64_t)c_u64(c, "fd");
	f->ino = c_u64(c, "ino");
	f->type = c_u8(c, "type");
	switch (f->type) {
	case SHM_SCAP_FD_IPV4_SOCK:
		f->sip[0] = c_u32(c, "sip");
		f->dip[0] = c_u32(c, "dip");
		f->sport = c_u16(c, "sport");
		f->dport = c_u16(c, "dport");
		f->l4proto = c_u8(c, "l4proto");
		break;
	case SHM_SCAP_FD_IPV4_SERVSOCK:
		f->sip[0] = c_u32(c, "ip");
		f->sport = c_u16(c, "port");
		f->l4proto = c_u8(c, "l4proto");
		break;
	case SHM_SCAP_FD_IPV6_SOCK:
		c_get(c, f->sip, 16, "sip");
		c_get(c, f->dip, 16, "dip");
		f->sport = c_u16(c, "sport");
		f->dport = c_u16(c, "dport");
		f->l4proto = c_u8(c, "l4proto");
		break;
	case SHM_SCAP_FD_IPV6_SERVSOCK:
		c_get(c, f->sip, 16, "ip");
		f->sport = c_u16(c, "port");
		f->l4proto = c_u8(c, "l4proto");
		break;
	case SHM_SCAP_FD_UNIX_SOCK:
		f->source = c_u64(c, "source");
		f->dest = c_u64(c, "destination");
		f->name = c_str(c, "name", NULL);
		break;
	case SHM_SCAP_FD_FILE_V2:
		f->open_flags = c_u32(c, "open flags");
		f->name = c_str(c, "name", NULL);
		if (v2 && c_left(c, 4))
			f->dev = c_u32(c, "dev");
		break;
	case SHM_SCAP_FD_UNKNOWN:
		break;
	case SHM_SCAP_FD_FILE: case SHM_SCAP_FD_DIRECTORY: case SHM_SCAP_FD_FIFO:
	case SHM_SCAP_FD_EVENT: case SHM_SCAP_FD_UNSUPPORTED: case SHM_SCAP_FD_SIGNALFD:
	case SHM_SCAP_FD_EVENTPOLL: case SHM_SCAP_FD_INOTIFY: case SHM_SCAP_FD_TIMERFD:
	case SHM_SCAP_FD_NETLINK:
		f->name = c_str(c, "name", NULL);
		break;
	default:
		if (v2)
			return 1;
		c->err = pfail(c->x, -EBADMSG,
			      "offset %" PRIu64 ": block type 0x%x (fd list): fd entry at offset %"
			      PRIu64 ": unknown fd type %u", c->x->boff, c->x->btype,
			      c->what_off, f->type);
	}
	return c->err;
}

static int parse_fdl(struct shm_scap_pctx *x, struct cur *c)
{
	struct shm_scap_meta *m = x->m;
	int v2 = x->btype == SHM_SCAP_FDL_V2;
	c->what = "fd list";
	c->what_off = c->base;
	uint64_t tid = c_u64(c, "tid");
	if (c->err)
		return c->err;
	struct shm_scap_fdset *set = fdset_for(m, tid);
	if (!set)
		return pfail(x, -ENOMEM, "out of memory reading an fd list");
	c->what = "fd entry";
	while (c->len - c->pos >= 4 && !c->err) {
		struct shm_scap_fd f;
		int rc;
		c->what_off = c->base + c->pos;
		if (v2) {
			uint32_t sub_len = c_u32(c, "entry length");
			if (entry_len_ok(c, sub_len, 4, 4))
				return c->err;
			struct cur e = c_sub(c, sub_len - 4);
			rc = parse_fd(&e, 1, &f);
			if (rc < 0)
				return c->err = e.err;
			c->pos += sub_len - 4;
		} else {
			rc = parse_fd(c, 0, &f);
			if (rc < 0)
				return c->err;
		}
		if (rc == 1) {
			pwarn(x, "offset %" PRIu64 ": block type 0x%x (fd list): fd entry at offset %"
			     PRIu64 ": unknown fd type %u", x->boff, x->btype, c->what_off, f.type);
			continue;
		}
		if (grow((void **)&set->fds, &set->cap, set->n, sizeof f))
			return pfail(x, -ENOMEM, "out of memory reading an fd list");
		set->fds[set->n++] = f;
	}
	return c->err;
}

static int parse_ul(struct shm_scap_pctx *x, struct cur *c)
{
	struct shm_scap_meta *m = x->m;
	int v2 = x->btype == SHM_SCAP_UL_V2;
	c->what = "user entry";
	while (c->len - c->pos >= 4 && !c->err) {
		struct cur e;
		c->what_off = c->base + c->pos;
		uint32_t sub_len = 0;
		if (v2) {
			sub_len = c_u32(c, "entry length");
			if (entry_len_ok(c, sub_len, 4, 4))
				return c->err;
			e = c_sub(c, sub_len - 4);
		} else {
			e = c_sub(c, c->len - c->pos);
		}
		uint8_t type = c_u8(&e, "type");
		if (type == SHM_SCAP_UL_USER) {
			struct shm_scap_user u;
			u.uid = c_u32(&e, "uid");
			u.gid = c_u32(&e, "gid");
			u.name = c_str(&e, "name", NULL);
			u.homedir = c_str(&e, "homedir", NULL);
			u.shell = c_str(&e, "shell", NULL);
			if (e.err)
				return c->err = e.err;
			if (grow((void **)&m->users, &m->capusers, m->nusers, sizeof u))
				return pfail(x, -ENOMEM, "out of memory reading the user list");
			m->users[m->nusers++] = u;
		} else { /* libscap: anything else is a group */
			struct shm_scap_group g;
			g.gid = c_u32(&e, "gid");
			g.name = c_str(&e, "name", NULL);
			if (e.err)
				return c->err = e.err;
			if (grow((void **)&m->groups, &m->capgroups, m->ngroups, sizeof g))
				return pfail(x, -ENOMEM, "out of memory reading the user list");
			m->groups[m->ngroups++] = g;
		}
		c->pos += v2 ? sub_len - 4 : e.pos;
	}
	return c->err;
}

static int parse_il(struct shm_scap_pctx *x, struct cur *c)
{
	struct shm_scap_meta *m = x->m;
	int v2 = x->btype == SHM_SCAP_IL_V2;
	c->what = "interface entry";
	while (c->len - c->pos >= 4 && !c->err) {
		struct cur e;
		struct shm_scap_iface f;
		c->what_off = c->base + c->pos;
		uint32_t sub_len = 0;
		if (v2) {
			/* this list's length word does not count itself */
			sub_len = c_u32(c, "entry length");
			if (entry_len_ok(c, sub_len, 0, 0))
				return c->err;
			e = c_sub(c, sub_len);
		} else {
			e = c_sub(c, c->len - c->pos);
		}
		memset(&f, 0, sizeof f);
		f.type = c_u16(&e, "type");
		uint16_t nlen = c_u16(&e, "name length");
		if (e.err)
			return c->err = e.err;
		switch (f.type) {
		case SHM_SCAP_II_IPV4: case SHM_SCAP_II_IPV4_NOLINKSPEED:
			f.addr4 = c_u32(&e, "addr");
			f.netmask4 = c_u32(&e, "netmask");
			f.bcast4 = c_u32(&e, "bcast");
			break;
		case SHM_SCAP_II_IPV6: case SHM_SCAP_II_IPV6_NOLINKSPEED:
			f.is_ipv6 = 1;
			c_get(&e, f.addr6, 16, "addr");
			c_get(&e, f.netmask6, 16, "netmask");
			c_get(&e, f.bcast6, 16, "bcast");
			break;
		default:
			return c->err = pfail(x, -EBADMSG,
				"offset %" PRIu64 ": block type 0x%x (interface list): entry at offset %"
				PRIu64 ": unknown interface type %u", x->boff, x->btype,
				c->what_off, f.type);
		}
		if (f.type == SHM_SCAP_II_IPV4 || f.type == SHM_SCAP_II_IPV6)
			f.linkspeed = c_u64(&e, "linkspeed");
		if (e.err)
			return c->err = e.err;
		if (e.len - e.pos < nlen) {
			c_fail(&e, "name", nlen);
			return c->err = e.err;
		}
		f.ifname = arena_copy(m, e.p + e.pos, nlen);
		if (!f.ifname)
			return pfail(x, -ENOMEM, "out of memory reading the interface list");
		e.pos += nlen;
		if (grow((void **)&m->ifaces, &m->capifaces, m->nifaces, sizeof f))
			return pfail(x, -ENOMEM, "out of memory reading the interface list");
		m->ifaces[m->nifaces++] = f;
		c->pos += v2 ? sub_len : e.pos;
	}
	return c->err;
}

/* Parses a metadata block body (blen - 12 bytes at body) into x->m.
 * Returns 1 when the type is not a metadata block we know. */
int shm_scap_parse_body(struct shm_scap_pctx *x, const uint8_t *body, size_t blen)
{
	struct cur c = {.x = x, .p = body, .len = blen - 12, .base = x->boff + 8};
	switch (x->btype) {
	case SHM_SCAP_MI: case BT_MI_INT:
		return parse_mi(x, &c);
	case SHM_SCAP_PL_V9: case BT_PL_V1: case BT_PL_V1_INT: case BT_PL_V2:
	case BT_PL_V2_INT: case BT_PL_V3: case BT_PL_V3_INT: case BT_PL_V4:
	case BT_PL_V5: case BT_PL_V6: case BT_PL_V7: case BT_PL_V8:
		return parse_pl(x, &c);
	case SHM_SCAP_FDL_V2: case BT_FDL_V1: case BT_FDL_V1_INT:
		return parse_fdl(x, &c);
	case SHM_SCAP_UL_V2: case BT_UL_V1: case BT_UL_V1_INT:
		return parse_ul(x, &c);
	case SHM_SCAP_IL_V2: case BT_IL_V1: case BT_IL_V1_INT:
		return parse_il(x, &c);
	default:
		return 1;
	}
}

/* ---- the tables: their life, blocks from memory, lookups ---- */

/* Frees what the tables hold; leaves m zeroed. */
void shm_scap_meta_release(struct shm_scap_meta *m)
{
	free(m->procs);
	for (size_t i = 0; i < m->hwfdsets; i++)
		free(m->fdsets[i].fds);
	free(m->fdsets);
	free(m->users);
	free(m->groups);
	free(m->ifaces);
	while (m->arena) {
		struct shm_scap_arena *a = m->arena;
		m->arena = a->next;
		free(a);
	}
	memset(m, 0, sizeof *m);
}

int shm_scap_meta_new(struct shm_scap_meta **m)
{
	*m = calloc(1, sizeof **m);
	return *m ? 0 : -ENOMEM;
}

void shm_scap_meta_free(struct shm_scap_meta *m)
{
	if (!m)
		return;
	shm_scap_meta_release(m);
	free(m);
}

void shm_scap_meta_clear(struct shm_scap_meta *m)
{
	m->have_mi = 0;
	m->nprocs = m->nusers = m->ngroups = m->nifaces = 0;
	m->nfdsets = 0;
	/* keep one arena chunk for the next block's strings */
	while (m->arena && m->arena->next) {
		struct shm_scap_arena *a = m->arena;
		m->arena = a->next;
		free(a);
	}
	if (m->arena)
		m->arena->used = 0;
}

int shm_scap_meta_parse(struct shm_scap_meta *m, const void *buf, size_t len, char *err,
			size_t errlen)
{
	const uint8_t *p = buf;
	uint32_t type, blen, trailer;
	char tmp[1];
	if (!err || !errlen) {
		err = tmp;
		errlen = sizeof tmp;
	}
	err[0] = 0;
	if (len < 12) {
		snprintf(err, errlen, "offset 0: a block needs at least 12 bytes, %zu given", len);
		return -EBADMSG;
	}
	memcpy(&type, p, 4);
	memcpy(&blen, p + 4, 4);
	if (blen != len || blen % 4) {
		snprintf(err, errlen, "offset 0: block type 0x%x (%s): block length %u, %zu "
			 "bytes given%s", type, shm_scap_btype_name(type), blen, len,
			 blen % 4 ? " (not a multiple of 4)" : "");
		return -EBADMSG;
	}
	memcpy(&trailer, p + len - 4, 4);
	if (trailer != blen) {
		snprintf(err, errlen, "offset 0: block type 0x%x (%s): trailing length %u does "
			 "not match %u", type, shm_scap_btype_name(type), trailer, blen);
		return -EBADMSG;
	}
	/* A damaged block adds nothing: remember where the tables ended. */
	size_t np = m->nprocs, nu = m->nusers, ng = m->ngroups, ni = m->nifaces;
	size_t nfs = m->nfdsets;
	size_t nfd[1] = {0}; /* entries of the fd list this block adds to */
	uint64_t fdtid = 0;
	int have_mi = m->have_mi;
	if (type == SHM_SCAP_FDL_V2 && len >= 20) {
		memcpy(&fdtid, p + 8, 8);
		for (size_t i = 0; i < m->nfdsets; i++)
			if (m->fdsets[i].tid == fdtid)
				nfd[0] = m->fdsets[i].n;
	}
	struct shm_scap_pctx x = {.m = m, .btype = type, .boff = 0, .err = err, .errlen = errlen,
			 .warn = NULL, .skipped = &m->skipped};
	int rc = shm_scap_parse_body(&x, p + 8, len);
	if (rc == 1) {
		snprintf(err, errlen, "offset 0: block type 0x%x (%s) is not a metadata block",
			 type, shm_scap_btype_name(type));
		return -ENOTSUP;
	}
	if (rc < 0) {
		m->nprocs = np;
		m->nusers = nu;
		m->ngroups = ng;
		m->nifaces = ni;
		m->have_mi = have_mi;
		for (size_t i = 0; i < nfs; i++)
			if (m->fdsets[i].tid == fdtid)
				m->fdsets[i].n = nfd[0];
		m->nfdsets = nfs;
	}
	return rc;
}

uint64_t shm_scap_meta_skipped(const struct shm_scap_meta *m)
{
	return m->skipped;
}

const struct shm_scap_machine *shm_scap_meta_machine(const struct shm_scap_meta *m)
{
	return m->have_mi ? &m->mi : NULL;
}

size_t shm_scap_meta_procs(const struct shm_scap_meta *m, const struct shm_scap_proc **procs)
{
	*procs = m->procs;
	return m->nprocs;
}

size_t shm_scap_meta_fds(const struct shm_scap_meta *m, uint64_t tid,
			 const struct shm_scap_fd **fds)
{
	for (size_t i = 0; i < m->nfdsets; i++) {
		if (m->fdsets[i].tid == tid) {
			*fds = m->fdsets[i].fds;
			return m->fdsets[i].n;
		}
	}
	*fds = NULL;
	return 0;
}

size_t shm_scap_meta_nfdsets(const struct shm_scap_meta *m)
{
	return m->nfdsets;
}

size_t shm_scap_meta_fdset(const struct shm_scap_meta *m, size_t i, uint64_t *tid,
			   const struct shm_scap_fd **fds)
{
	if (i >= m->nfdsets) {
		*tid = 0;
		*fds = NULL;
		return 0;
	}
	*tid = m->fdsets[i].tid;
	*fds = m->fdsets[i].fds;
	return m->fdsets[i].n;
}

size_t shm_scap_meta_users(const struct shm_scap_meta *m, const struct shm_scap_user **users)
{
	*users = m->users;
	return m->nusers;
}

size_t shm_scap_meta_groups(const struct shm_scap_meta *m, const struct shm_scap_group **groups)
{
	*groups = m->groups;
	return m->ngroups;
}

size_t shm_scap_meta_ifaces(const struct shm_scap_meta *m, const struct shm_scap_iface **ifs)
{
	*ifs = m->ifaces;
	return m->nifaces;
}
