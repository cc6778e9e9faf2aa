/* Validates and indexes driver-format records (see shm_event.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shm_event.h"

static const struct {
	const char *name;
	uint8_t size;
} type_desc[SHM_PT_MAX] = {
	[SHM_PT_NONE] = {"NONE", 0},         [SHM_PT_INT8] = {"INT8", 1},
	[SHM_PT_INT16] = {"INT16", 2},       [SHM_PT_INT32] = {"INT32", 4},
	[SHM_PT_INT64] = {"INT64", 8},       [SHM_PT_UINT8] = {"UINT8", 1},
	[SHM_PT_UINT16] = {"UINT16", 2},     [SHM_PT_UINT32] = {"UINT32", 4},
	[SHM_PT_UINT64] = {"UINT64", 8},     [SHM_PT_CHARBUF] = {"CHARBUF", 0},
	[SHM_PT_BYTEBUF] = {"BYTEBUF", 0},   [SHM_PT_ERRNO] = {"ERRNO", 8},
	[SHM_PT_SOCKADDR] = {"SOCKADDR", 0}, [SHM_PT_SOCKTUPLE] = {"SOCKTUPLE", 0},
	[SHM_PT_FD] = {"FD", 8},             [SHM_PT_PID] = {"PID", 8},
	[SHM_PT_FDLIST] = {"FDLIST", 0},     [SHM_PT_FSPATH] = {"FSPATH", 0},
	[SHM_PT_SYSCALLID] = {"SYSCALLID", 2}, [SHM_PT_SIGTYPE] = {"SIGTYPE", 1},
	[SHM_PT_RELTIME] = {"RELTIME", 8},   [SHM_PT_ABSTIME] = {"ABSTIME", 8},
	[SHM_PT_PORT] = {"PORT", 2},         [SHM_PT_L4PROTO] = {"L4PROTO", 1},
	[SHM_PT_SOCKFAMILY] = {"SOCKFAMILY", 1}, [SHM_PT_BOOL] = {"BOOL", 4},
	[SHM_PT_IPV4ADDR] = {"IPV4ADDR", 4}, [SHM_PT_DYN] = {"DYN", 0},
	[SHM_PT_FLAGS8] = {"FLAGS8", 1},     [SHM_PT_FLAGS16] = {"FLAGS16", 2},
	[SHM_PT_FLAGS32] = {"FLAGS32", 4},   [SHM_PT_UID] = {"UID", 4},
	[SHM_PT_GID] = {"GID", 4},           [SHM_PT_DOUBLE] = {"DOUBLE", 8},
	[SHM_PT_SIGSET] = {"SIGSET", 4},     [SHM_PT_CHARBUFARRAY] = {"CHARBUFARRAY", 0},
	[SHM_PT_CHARBUF_PAIR_ARRAY] = {"CHARBUF_PAIR_ARRAY", 0},
	[SHM_PT_IPV4NET] = {"IPV4NET", 0},   [SHM_PT_IPV6ADDR] = {"IPV6ADDR", 16},
	[SHM_PT_IPV6NET] = {"IPV6NET", 0},   [SHM_PT_IPADDR] = {"IPADDR", 0},
	[SHM_PT_IPNET] = {"IPNET", 0},       [SHM_PT_MODE] = {"MODE", 4},
	[SHM_PT_FSRELPATH] = {"FSRELPATH", 0},
};

uint32_t shm_param_type_size(enum shm_param_type type)
{
	return (unsigned)type < SHM_PT_MAX ? type_desc[type].size : 0;
}

const char *shm_param_type_name(enum shm_param_type type)
{
	return (unsigned)type < SHM_PT_MAX ? type_desc[type].name : "?";
}

int shm_evt_peek(const void *buf, size_t avail, struct shm_evt_hdr *hdr)
{
	if (avail < SHM_EVT_HDR_LEN)
		return -EAGAIN;
	memcpy(hdr, buf, SHM_EVT_HDR_LEN);
	return hdr->len < SHM_EVT_HDR_LEN ? -EBADMSG : 0;
}

#define REJECT(...)                                      \
	do {                                             \
		if (why && whylen)                       \
			snprintf(why, whylen, __VA_ARGS__); \
		return -EBADMSG;                         \
	} while (0)

int shm_evt_decode(struct shm_evt *ev, const void *buf, size_t avail,
		   char *why, size_t whylen)
{
	struct shm_evt_hdr h;
	const uint8_t *p = buf;

	if (avail < SHM_EVT_HDR_LEN) {
		if (why && whylen)
			snprintf(why, whylen, "%zu bytes, shorter than the %u-byte header",
				 avail, SHM_EVT_HDR_LEN);
		return -EAGAIN;
	}
	memcpy(&h, p, SHM_EVT_HDR_LEN);
	if (h.len < SHM_EVT_HDR_LEN)
		REJECT("length %u is shorter than the header", h.len);
	if (h.len > avail) {
		if (why && whylen)
			snprintf(why, whylen, "length %u runs past the %zu bytes available",
				 h.len, avail);
		return -EAGAIN;
	}
	if (h.type >= SHM_EVENT_MAX)
		REJECT("type %u is out of range (max %u)", h.type, SHM_EVENT_MAX - 1);
	const struct shm_event_info *info = &shm_event_table[h.type];
	/* the table's count, plus up to SHM_EVT_MAX_EXT extensions */
	if (h.nparams < info->nparams || h.nparams > info->nparams + SHM_EVT_MAX_EXT)
		REJECT("%s (type %u) has %u parameters, the format says %u", info->name,
		       h.type, h.nparams, info->nparams);
	uint32_t lensize = shm_event_lensize(h.type);
	uint64_t off = SHM_EVT_HDR_LEN + (uint64_t)h.nparams * lensize;
	if (off > h.len)
		REJECT("%s: %u lengths do not fit in a %u-byte record", info->name,
		       h.nparams, h.len);
	const uint8_t *lens = p + SHM_EVT_HDR_LEN;
	for (uint32_t i = 0; i < info->nparams; i++) {
		uint32_t l = shm_evt_len_word(lens, lensize, i);
		const struct shm_param_info *pi = &info->params[i];
		uint32_t fixed = shm_param_type_size(pi->type);
		if (fixed && l != 0 && l != fixed)
			REJECT("%s: parameter %u (%s, %s) has %u bytes, not %u", info->name, i,
			       pi->name, shm_param_type_name(pi->type), l, fixed);
		if (off + l > h.len)
			REJECT("%s: parameter %u (%s) runs past the end of the %u-byte record",
			       info->name, i, pi->name, h.len);
		ev->val[i] = p + off;
		ev->vlen[i] = l;
		off += l;
	}
	const uint8_t *ext[SHM_EVT_MAX_EXT];
	uint32_t ext_len[SHM_EVT_MAX_EXT];
	for (uint32_t i = info->nparams; i < h.nparams; i++) {
		uint32_t l = shm_evt_len_word(lens, lensize, i), k = i - info->nparams;
		const uint8_t *v = p + off;
		if (off + l > h.len)
			REJECT("%s: extension %u runs past the end of the %u-byte record",
			       info->name, k, h.len);
		if (l == 0)
			REJECT("%s: extension %u is empty (no tag)", info->name, k);
		if (v[0] > SHM_EXT_TAG_MAX) { /* an untagged stack (older pdig) */
			if (v[l - 1] != 0)
				REJECT("%s: the trailer is not NUL-terminated", info->name);
		} else if (v[0] == SHM_EXT_USTACK && v[l - 1] != 0) {
			REJECT("%s: the stack (extension %u) is not NUL-terminated", info->name, k);
		} else if (v[0] == SHM_EXT_ABI && l != 2) {
			REJECT("%s: the ABI (extension %u) has %u bytes, not 2", info->name, k, l);
		} else if (v[0] == SHM_EXT_MEMFD && (l < SHM_EXT_MEMFD_MIN || v[l - 1] != 0)) {
			REJECT("%s: memfd_create's values (extension %u) are %u bytes or not "
			       "NUL-terminated", info->name, k, l);
		} else if (v[0] == 0) {
			REJECT("%s: extension %u has tag 0", info->name, k);
		}
		ext[k] = v;
		ext_len[k] = l;
		off += l;
	}
	if (off != h.len)
		REJECT("%s: parameters take %llu bytes, the header says %u", info->name,
		       (unsigned long long)off, h.len);
	shm_evt_set_hdr(ev, &h, p);
	for (uint32_t k = 0; k + info->nparams < h.nparams; k++)
		shm_evt_add_ext(ev, ext[k], ext_len[k]);
	return 0;
}

int shm_evt_param_index(uint16_t type, const char *name)
{
	if (type >= SHM_EVENT_MAX)
		return -1;
	const struct shm_event_info *info = &shm_event_table[type];
	for (unsigned i = 0; i < info->nparams; i++)
		if (strcmp(info->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

int shm_info_param_index(const struct shm_event_info *info, const char *name)
{
	for (unsigned i = 0; i < info->nparams; i++)
		if (strcmp(info->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* current libs' memfd_create exit: fd, name, flags (memfd_create_flags) */
static const struct shm_name_value memfd_flags[] = {
	{"MFD_CLOEXEC", SHM_MFD_CLOEXEC},
	{"MFD_ALLOW_SEALING", SHM_MFD_ALLOW_SEALING},
	{"MFD_HUGETLB", SHM_MFD_HUGETLB},
	{NULL, 0},
};
static const struct shm_param_info memfd_params[] = {
	{"fd", SHM_PT_FD, SHM_PF_DEC, 0, 0, NULL},
	{"name", SHM_PT_CHARBUF, SHM_PF_NA, 0, 0, NULL},
	{"flags", SHM_PT_FLAGS32, SHM_PF_HEX, 0, 0, memfd_flags},
};
const struct shm_event_info shm_memfd_create_x_info = {
	"memfd_create", SHM_EC_MEMORY, SHM_EF_CREATES_FD | SHM_EF_MODIFIES_STATE, 3, memfd_params,
};

int shm_evt_memfd_view(const struct shm_evt *ev, struct shm_evt *view)
{
	uint32_t n;
	const uint8_t *v = ev->type == SHM_EV_GENERIC_X ? shm_evt_ext(ev, SHM_EXT_MEMFD, &n) : NULL;
	if (!v || n + 1 < SHM_EXT_MEMFD_MIN)
		return -ENOENT; /* (the decoder checked the length and the NUL) */
	*view = *ev;
	view->info = &shm_memfd_create_x_info;
	view->nparams = 3;
	view->val[0] = v;
	view->vlen[0] = 8;
	view->val[1] = v + 12;
	view->vlen[1] = n - 12;
	view->val[2] = v + 8;
	view->vlen[2] = 4;
	return 0;
}
