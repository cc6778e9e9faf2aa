/*
 * Sink: the legacy udig ring that sysdig -u reads (--udig, shm_udig.h). Its
 * drops are counted in the shared header too, where sysdig reports them;
 * while no reader captures, events are counted as "no udig reader".
 */
#include <errno.h>
#include <string.h>

#include "out.h"

int pd_out_udig_open(struct pd_out *o)
{
	char err[256] = "";
	int rc = shm_udig_open(&o->udig, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "pdig: cannot open the udig ring: %s\n",
			err[0] ? err : strerror(-rc));
		return rc;
	}
	if (!o->opts->quiet && !shm_udig_capturing(o->udig))
		fprintf(stderr, "pdig: no udig reader (sysdig -u) is capturing: events are "
			"not written until one starts\n");
	return 0;
}

void pd_out_udig_event(struct pd_out *o, const void *rec, uint32_t len)
{
	int rc = shm_udig_write(o->udig, rec, len);
	if (rc == -ENOTCONN)
		o->st->drop_no_consumer++;
	else if (rc < 0)
		o->st->drop_ring++;
}

void pd_out_udig_page_fault(struct pd_out *o)
{
	shm_udig_count_pf_drop(o->udig);
}

int pd_out_udig_close(struct pd_out *o)
{
	shm_udig_free(o->udig);
	return 0;
}
