/*
 * The file channel: alerts appended to file_output.filename. With
 * keep_alive the file stays open and SIGUSR1 reopens it (after logrotate
 * moved it); without, it is opened for each alert, as Falco does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_out.h"

struct out_file {
	struct eng_out base;
	char *path;
	FILE *f;
	int keep_alive, buffered;
	uint64_t sent, failed;
};

static int open_file(struct out_file *s)
{
	s->f = fopen(s->path, "ae");
	return s->f ? 0 : -errno;
}

static int fo_emit(struct eng_out *o, const struct eng_alert *a)
{
	struct out_file *s = (struct out_file *)o;
	int rc = 0;
	if (!s->f && (rc = open_file(s)))
		goto fail;
	if (fputs(a->line, s->f) == EOF || fputc('\n', s->f) == EOF)
		rc = -EIO;
	if (!s->keep_alive) {
		if (fclose(s->f) && !rc)
			rc = -errno;
		s->f = NULL;
	} else if (!s->buffered && fflush(s->f)) {
		rc = -EIO;
	}
	if (rc)
		goto fail;
	s->sent++;
	return 0;
fail:
	s->failed++;
	return rc;
}

static void fo_flush(struct eng_out *o)
{
	struct out_file *s = (struct out_file *)o;
	if (s->f)
		fflush(s->f);
}

static void fo_reopen(struct eng_out *o)
{
	struct out_file *s = (struct out_file *)o;
	if (s->f)
		fclose(s->f);
	s->f = NULL; /* opened again at the next alert: the new file */
}

static void fo_stats(const struct eng_out *o, struct eng_out_stats *st)
{
	const struct out_file *s = (const struct out_file *)o;
	*st = (struct eng_out_stats){.sent = s->sent, .failed = s->failed, .lost = s->failed};
}

static void fo_free(struct eng_out *o)
{
	struct out_file *s = (struct out_file *)o;
	if (s->f)
		fclose(s->f);
	free(s->path);
	free(s);
}

static const struct eng_out_ops file_ops = {
	.emit = fo_emit, .flush = fo_flush, .reopen = fo_reopen, .stats = fo_stats,
	.free = fo_free,
};

int eng_out_file_new(struct eng_out **out, const struct eng_config *c, char *err, size_t errlen)
{
	if (!c->file_name || !*c->file_name) {
		snprintf(err, errlen, "file_output.enabled: file_output.filename is not set");
		return -EINVAL;
	}
	struct out_file *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;
	if (!s || !(s->path = strdup(c->file_name)))
		goto err;
	s->base = (struct eng_out){&file_ops, "file"};
	s->keep_alive = c->file_keep_alive;
	s->buffered = c->buffered_outputs == 1;
	/* opened now so that a wrong path stops the engine before it starts */
	if ((rc = open_file(s))) {
		snprintf(err, errlen, "file_output.filename: cannot open %s: %s", c->file_name,
			 strerror(-rc));
		goto err;
	}
	if (!s->keep_alive) {
		fclose(s->f);
		s->f = NULL;
	}
	*out = &s->base;
	return 0;
err:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (s)
		free(s->path);
	free(s);
	return rc;
}
