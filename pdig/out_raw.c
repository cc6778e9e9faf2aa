/*
 * Sink: bare records, one after another, as pdig built them (--raw FILE,
 * for tests: test/pdig/evdump reads it). No framing, no metadata: the
 * snapshot goes to the capture and the ring only.
 */
#include <errno.h>
#include <string.h>

#include "out.h"

int pd_out_raw_open(struct pd_out *o)
{
	const char *path = o->opts->raw_path;
	o->raw = fopen(path, "we");
	if (!o->raw) {
		int rc = -errno;
		fprintf(stderr, "pdig: cannot create %s: %s\n", path, strerror(errno));
		return rc;
	}
	setvbuf(o->raw, NULL, _IOFBF, 1 << 20);
	return 0;
}

void pd_out_raw_event(struct pd_out *o, const void *rec, uint32_t len)
{
	if (fwrite(rec, 1, len, o->raw) != len)
		o->st->drop_write++;
}

void pd_out_raw_flush(struct pd_out *o)
{
	fflush(o->raw);
}

int pd_out_raw_close(struct pd_out *o)
{
	return fclose(o->raw) != 0 ? -errno : 0;
}
