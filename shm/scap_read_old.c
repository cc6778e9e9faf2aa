/*
 * Capture-file reader: events of older eras. Two things sysdig 0.29.3
 * reads and the driver's current format does not produce:
 *
 *  - the old event blocks (EV 0x204, its internal twin, EVF 0x208), whose
 *    records have no parameter count in the header (22 bytes: ts, tid,
 *    len, type). The count follows from the lengths: the largest count, at
 *    most the table's, whose length words and values end exactly at the
 *    record's end. A count that leaves bytes unexplained means the record
 *    is damaged, as libscap also decides. The record is rewritten in the
 *    current layout in a buffer of the reader, so that everything after
 *    (the engine keeps copies of enter events and indexes them again) sees
 *    one layout only.
 *  - records with fewer parameters than the table gives their type: older
 *    drivers wrote an event before later parameters were appended to it
 *    (open's exit before "dev"). The missing trailing parameters are
 *    absent (shm_evt_len() 0, the readers' defaults).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "scap_impl.h"

#define V1_HDR_LEN 22u /* ts, tid, len, type: no nparams */

int shm_scap_decode_short(struct shm_evt *ev, const uint8_t *p, size_t avail, char *why,
			  size_t whylen)
{
	struct shm_evt_hdr h;
	if (avail < SHM_EVT_HDR_LEN)
		return -EBADMSG;
	memcpy(&h, p, SHM_EVT_HDR_LEN);
	if (h.len < SHM_EVT_HDR_LEN || h.len > avail || h.type >= SHM_EVENT_MAX)
		return -EBADMSG;
	const struct shm_event_info *info = &shm_event_table[h.type];
	if (h.nparams >= info->nparams)
		return -EBADMSG;
	uint32_t lensize = shm_event_lensize(h.type);
	uint64_t off = SHM_EVT_HDR_LEN + (uint64_t)h.nparams * lensize;
	const uint8_t *lens = p + SHM_EVT_HDR_LEN;
	if (off > h.len)
		goto bad;
	for (uint32_t i = 0; i < h.nparams; i++) {
		uint32_t l = shm_evt_len_word(lens, lensize, i);
		uint32_t fixed = shm_param_type_size(info->params[i].type);
		if ((fixed && l != 0 && l != fixed) || off + l > h.len)
			goto bad;
		off += l;
	}
	if (off != h.len)
		goto bad;
	shm_evt_set_hdr(ev, &h, p);
	shm_evt_index_vals(ev, p, h.nparams, lensize);
	return 0;
bad:
	if (why && whylen)
		snprintf(why, whylen, "%s (type %u): its %u parameters (of the %u the format has) "
			 "do not add up to its %u bytes", info->name, h.type, h.nparams,
			 info->nparams, h.len);
	return -EBADMSG;
}

/* The parameter count of an old record: lens (2 bytes each) and values
 * between lens and end (avail bytes from lens). -1 when no count fits. */
static int v1_count(const uint8_t *lens, size_t avail, uint32_t max)
{
	for (int64_t n = max; n >= 0; n--) {
		uint64_t used = 2u * (uint64_t)n;
		if (used > avail)
			continue;
		for (int64_t i = 0; i < n; i++) {
			uint16_t l;
			memcpy(&l, lens + 2 * i, 2);
			used += l;
		}
		if (used < avail)
			return -1; /* bytes nothing accounts for: damaged */
		if (used == avail)
			return (int)n;
	}
	return -1;
}

int shm_scap_take_v1(struct shm_scap_reader *r, struct shm_evt *evt, size_t pre)
{
	size_t body = r->blen - 12;
	const uint8_t *rec = r->body + pre;
	size_t avail = body - pre;
	uint32_t len;
	uint16_t type;
	if (avail < V1_HDR_LEN) {
		shm_scap_rd_warn(r, "offset %" PRIu64 ": block type 0x%x (%s): %zu bytes cannot hold "
				 "an old-format event header (%u bytes)", r->boff, r->btype,
				 shm_scap_btype_name(r->btype), avail, V1_HDR_LEN);
		return 0;
	}
	memcpy(&len, rec + 16, 4);
	memcpy(&type, rec + 20, 2);
	if (type == SHM_EV_NOTIFICATION_E || type == SHM_EV_INFRASTRUCTURE_EVENT_E)
		len = len >= 3 ? len - 3 : 0; /* old writers counted 3 bytes too many */
	const char *what = NULL;
	int n = -1;
	if (len < V1_HDR_LEN || len > avail || avail - len >= 4)
		what = "its length does not match the block";
	else if (type >= SHM_EVENT_MAX)
		what = "its type is past the event table";
	else if (shm_event_lensize(type) != 2)
		what = "its type has 4-byte lengths, which the old format never had";
	else if ((n = v1_count(rec + V1_HDR_LEN, len - V1_HDR_LEN,
			       shm_event_table[type].nparams)) < 0)
		what = "no parameter count makes its lengths add up to its size";
	if (what) {
		shm_scap_rd_warn(r, "offset %" PRIu64 ": block type 0x%x (%s): bad old-format event "
				 "record (type %u, %u bytes): %s", r->boff, r->btype,
				 shm_scap_btype_name(r->btype), type, len, what);
		return 0;
	}
	size_t need = (size_t)len + 4;
	if (r->cvtcap < need) {
		uint8_t *nb = realloc(r->cvt, need);
		if (!nb) {
			shm_scap_rd_warn(r, "offset %" PRIu64 ": out of memory converting an "
					 "old-format event", r->boff);
			return 0;
		}
		r->cvt = nb;
		r->cvtcap = need;
	}
	/* the current layout: the header gains nparams, the rest is unchanged */
	struct shm_evt_hdr h;
	memcpy(&h.ts, rec, 8);
	memcpy(&h.tid, rec + 8, 8);
	h.len = len + 4;
	h.type = type;
	h.nparams = (uint32_t)n;
	memcpy(r->cvt, &h, SHM_EVT_HDR_LEN);
	memcpy(r->cvt + SHM_EVT_HDR_LEN, rec + V1_HDR_LEN, len - V1_HDR_LEN);
	char why[200];
	int rc = (uint32_t)n == shm_event_table[type].nparams
			 ? shm_evt_decode(evt, r->cvt, h.len, why, sizeof why)
			 : shm_scap_decode_short(evt, r->cvt, h.len, why, sizeof why);
	if (rc) {
		shm_scap_rd_warn(r, "offset %" PRIu64 ": block type 0x%x (%s): bad old-format event "
				 "record: %s", r->boff, r->btype, shm_scap_btype_name(r->btype), why);
		return 0;
	}
	return 1;
}
