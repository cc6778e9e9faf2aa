/* The stdout channel: one alert per line, text or JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_out.h"

struct out_stdout {
	struct eng_out base;
	int line_buffered;
	uint64_t sent, failed;
};

static char obuf[1 << 16];

static int so_emit(struct eng_out *o, const struct eng_alert *a)
{
	struct out_stdout *s = (struct out_stdout *)o;
	if (fputs(a->line, stdout) == EOF || fputc('\n', stdout) == EOF) {
		s->failed++;
		return -EIO;
	}
	if (s->line_buffered)
		fflush(stdout);
	s->sent++;
	return 0;
}

static void so_flush(struct eng_out *o)
{
	(void)o;
	fflush(stdout);
}

static void so_stats(const struct eng_out *o, struct eng_out_stats *st)
{
	const struct out_stdout *s = (const struct out_stdout *)o;
	*st = (struct eng_out_stats){.sent = s->sent, .failed = s->failed};
}

static void so_free(struct eng_out *o)
{
	fflush(stdout);
	free(o);
}

static const struct eng_out_ops stdout_ops = {
	.emit = so_emit, .flush = so_flush, .stats = so_stats, .free = so_free,
};

int eng_out_stdout_new(struct eng_out **out, const struct eng_config *c, int line_buffered,
		       char *err, size_t errlen)
{
	(void)c;
	struct out_stdout *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->base = (struct eng_out){&stdout_ops, "stdout"};
	s->line_buffered = line_buffered;
	/* a replay is written in big blocks; live alerts as they come. Only
	 * before the first output (setvbuf after it is undefined): a reload
	 * keeps the buffer it has. */
	static int buffered_once;
	if (!line_buffered && !buffered_once)
		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	buffered_once = 1;
	*out = &s->base;
	return 0;
}
