/*
 * Capture-file reader: the events. Event blocks are decoded in place (the
 * values point into the read buffer); most lie whole in the buffer and are
 * taken without a call to the block reader (scap_read.c), which handles
 * everything else and says what is wrong. Nothing here parses metadata.
 */
#include <inttypes.h>
#include <string.h>

#include "scap_impl.h"

/* Says why the event block in body was skipped (decoding it again, with
 * the reason): off the good path. */
static __attribute__((noinline)) int skip_event(struct shm_scap_reader *r, size_t pre)
{
	uint32_t t = r->btype;
	size_t body = r->blen - 12;
	char why[200];
	struct shm_evt tmp;
	int rc = shm_evt_decode(&tmp, r->body + pre, body - pre, why, sizeof why);
	struct shm_evt_hdr h;
	/* an older version of the event, its last parameters not yet added:
	 * say why its own count does not add up */
	if (rc && shm_evt_peek(r->body + pre, body - pre, &h) == 0 && h.type < SHM_EVENT_MAX &&
	    h.nparams < shm_event_table[h.type].nparams)
		rc = shm_scap_decode_short(&tmp, r->body + pre, body - pre, why, sizeof why);
	if (rc == 0)
		snprintf(why, sizeof why, "event of %u bytes leaves %zu unexplained bytes in "
			 "the block", tmp.len, body - pre - tmp.len);
	shm_scap_rd_warn(r, "offset %" PRIu64 ": block type 0x%x (%s): bad event record: %s",
			 r->boff, t, shm_scap_btype_name(t), why);
	r->evskipped++;
	return 0;
}

/* Decodes the event block in body into *evt, in place (the values point
 * into the read buffer): 1, or 0 if skipped. */
static inline int take_event(struct shm_scap_reader *r, struct shm_evt *evt, uint16_t *cpuid,
			     uint32_t *flags)
{
	uint32_t t = r->btype;
	size_t body = r->blen - 12;
	int old = t == BT_EV_V1 || t == BT_EV_V1_INT || t == BT_EVF_V1;
	size_t pre = (t == SHM_SCAP_EVF_V2 || t == SHM_SCAP_EVF_V2_LARGE || t == BT_EVF_V1) ? 6 : 2;
	if (body < pre) {
		shm_scap_rd_warn(r, "offset %" PRIu64 ": block type 0x%x (%s): %zu bytes cannot "
				 "hold the cpu id%s", r->boff, t, shm_scap_btype_name(t), body,
				 pre == 6 ? " and flags" : "");
		r->evskipped++;
		return 0;
	}
	if (old) {
		if (!shm_scap_take_v1(r, evt, pre)) {
			r->evskipped++;
			return 0;
		}
	} else if (shm_evt_decode(evt, r->body + pre, body - pre, NULL, 0) ||
		   body - pre - evt->len >= 4) {
		/* older versions of an event have fewer parameters */
		if (shm_scap_decode_short(evt, r->body + pre, body - pre, NULL, 0) ||
		    body - pre - evt->len >= 4)
			return skip_event(r, pre);
	}
	memcpy(cpuid, r->body, 2);
	*flags = 0;
	if (pre == 6)
		memcpy(flags, r->body + 2, 4);
	r->nevents++;
	return 1;
}

int shm_scap_reader_next_evt(struct shm_scap_reader *r, struct shm_evt *evt, uint16_t *cpuid,
			     uint32_t *flags)
{
	/* Most blocks are events lying whole in the buffer: checked here as
	 * shm_scap_rd_block() checks them (a block inside the buffer is inside
	 * the file); anything else goes the long way, which says what is wrong. */
	while (!r->state && !r->pending && r->end - r->pos >= 8) {
		const uint8_t *b = r->buf + r->pos;
		uint32_t h[2], trailer;
		memcpy(h, b, 8);
		if ((h[0] != SHM_SCAP_EV_V2 && h[0] != SHM_SCAP_EVF_V2) || h[1] < 12 || h[1] % 4 ||
		    h[1] > SHM_SCAP_MAX_BLOCK || h[1] > r->end - r->pos)
			break;
		memcpy(&trailer, b + h[1] - 4, 4);
		if (trailer != h[1])
			break;
		r->btype = h[0];
		r->blen = h[1];
		r->boff = r->bufoff + r->pos;
		r->body = b + 8;
		r->pos += h[1];
		if (take_event(r, evt, cpuid, flags))
			return 1;
	}
	for (;;) {
		if (r->state)
			return r->state < 0 ? r->state : 0;
		if (!r->pending) {
			int rc = shm_scap_rd_block(r, 0);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				r->state = 1;
				return 0;
			}
		}
		r->pending = 0;
		if (shm_scap_is_event_block(r->btype)) {
			if (take_event(r, evt, cpuid, flags))
				return 1;
		} else if (shm_scap_rd_absorb(r) < 0) {
			return r->state;
		}
	}
}

int shm_scap_reader_next(struct shm_scap_reader *r, struct shm_scap_item *item)
{
	memset(item, 0, sizeof *item);
	int rc = shm_scap_reader_next_evt(r, &item->evt, &item->cpuid, &item->flags);
	if (rc == 1) {
		item->kind = SHM_SCAP_ITEM_EVENT;
		item->offset = r->boff;
	}
	return rc;
}
