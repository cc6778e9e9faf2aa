/*
 * Sink: a capture file (-w FILE, shm_scap.h), read later by pdig-engine -e,
 * pdig-dump or sysdig -r. The snapshot before the first event is written by
 * out_snapshot.c; this file writes events. A failed write is said once and
 * every event after it counted as dropped.
 */
#include <string.h>

#include "out.h"

int pd_out_scap_open(struct pd_out *o)
{
	int rc = shm_scap_writer_new(&o->w, o->opts->write_path);
	if (rc < 0)
		fprintf(stderr, "pdig: cannot create the capture %s: %s\n", o->opts->write_path,
			strerror(-rc));
	return rc;
}

void pd_out_scap_event(struct pd_out *o, const void *rec, uint32_t len)
{
	if (shm_scap_write_event(o->w, 0, 0, rec, len) < 0) {
		o->st->drop_write++;
		if (!o->write_failed && !o->opts->quiet)
			fprintf(stderr, "pdig: writing %s failed (%s): later events are counted "
				"as dropped\n", o->opts->write_path, shm_scap_writer_error(o->w));
		o->write_failed = 1;
	}
}

void pd_out_scap_flush(struct pd_out *o)
{
	shm_scap_writer_flush(o->w);
}

int pd_out_scap_close(struct pd_out *o)
{
	return shm_scap_writer_free(o->w);
}
