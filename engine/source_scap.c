/* The capture-file source: events and metadata from shm/shm_scap.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_source.h"
#include "shm_scap.h"

struct scap_source {
	struct eng_source base; /* first: the ops receive &base */
	struct shm_scap_reader *r;
	char err[200];          /* set when the end is a failure of ours */
};

static int scap_next(struct eng_source *s, struct eng_event *ev, uint32_t *df)
{
	struct scap_source *ss = (struct scap_source *)s;
	/* decoded straight into the event, its values pointing into the
	 * reader's buffer: nothing is copied */
	int rc = shm_scap_reader_next_evt(ss->r, &ev->evt, &ev->cpuid, df);
	/* sysdig's per-thread cpu tick counts: counted (evt.num) and applied
	 * (they name their thread), never shown nor matched, as sysdig does */
	if (rc == 1 && ev->evt.type == SHM_EV_PROCINFO_E)
		*df |= ENG_DF_STATE_ONLY;
	if (rc)
		return rc;
	/* the end: a file some of whose events could not be read was not
	 * read, whatever the rest gave (the warnings said which and why) */
	uint64_t n = shm_scap_reader_skipped_events(ss->r);
	if (!n)
		return 0;
	snprintf(ss->err, sizeof ss->err, "%llu event%s could not be read and %s skipped "
		 "(see the warnings above)", (unsigned long long)n, n == 1 ? "" : "s",
		 n == 1 ? "was" : "were");
	return -EBADMSG;
}

static int scap_load_state(struct eng_source *s, struct eng_state *st)
{
	return eng_state_load_scap(st, ((struct scap_source *)s)->r);
}

static const char *scap_error(const struct eng_source *s)
{
	const struct scap_source *ss = (const struct scap_source *)s;
	return ss->err[0] ? ss->err : shm_scap_reader_error(ss->r);
}

static uint64_t scap_lost(const struct eng_source *s)
{
	return shm_scap_reader_skipped(((const struct scap_source *)s)->r);
}

static void scap_free(struct eng_source *s)
{
	struct scap_source *ss = (struct scap_source *)s;
	shm_scap_reader_free(ss->r);
	free(ss);
}

static const struct eng_source_ops scap_ops = {
	.next = scap_next,
	.load_state = scap_load_state,
	.error = scap_error,
	.lost = scap_lost,
	.free = scap_free,
};

int eng_source_scap_new(struct eng_source **out, const char *path, char *err, size_t errlen)
{
	struct scap_source *ss = calloc(1, sizeof(*ss));
	if (!ss) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = shm_scap_reader_new(&ss->r, path, err, errlen);
	if (rc) {
		free(ss);
		return rc;
	}
	ss->base.ops = &scap_ops;
	ss->base.name = path;
	*out = &ss->base;
	return 0;
}
