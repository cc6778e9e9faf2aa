/* The set of output channels the configuration enables (eng_out.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_out.h"

#define MAX_OUTS 8

struct eng_outputs {
	struct eng_out *o[MAX_OUTS];
	size_t n;
	int want_json;
	/* what the channels of the sets before a reload counted, by name:
	 * counters go on across reloads */
	struct {
		const char *name; /* the channels' names are static strings */
		struct eng_out_stats st;
	} carried[MAX_OUTS];
	size_t ncarried;
};

void eng_outputs_free(struct eng_outputs *os)
{
	if (!os)
		return;
	for (size_t i = 0; i < os->n; i++)
		os->o[i]->ops->free(os->o[i]);
	free(os);
}

int eng_outputs_new(struct eng_outputs **out, const struct eng_config *c, int live, char *err,
		    size_t errlen)
{
	struct eng_outputs *os = calloc(1, sizeof(*os));
	if (!os) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = 0;
	int line = c->buffered_outputs == -1 ? live : !c->buffered_outputs;
	if (c->stdout_enabled)
		rc = eng_out_stdout_new(&os->o[os->n++], c, line, err, errlen);
	if (!rc && c->file_enabled)
		rc = eng_out_file_new(&os->o[os->n++], c, err, errlen);
	if (!rc && c->program_enabled)
		rc = eng_out_program_new(&os->o[os->n++], c, err, errlen);
	if (!rc && c->syslog_enabled)
		rc = eng_out_syslog_new(&os->o[os->n++], c, err, errlen);
	if (!rc && c->http_enabled) {
		rc = eng_out_http_new(&os->o[os->n++], c, err, errlen);
		os->want_json = 1; /* receivers such as falcosidekick take JSON only */
	}
	if (rc) {
		os->n--; /* the channel that failed was not made */
		eng_outputs_free(os);
		return rc;
	}
	os->want_json |= c->json_output;
	*out = os;
	return 0;
}

int eng_outputs_want_json(const struct eng_outputs *os)
{
	return os->want_json;
}

void eng_outputs_emit(struct eng_outputs *os, const struct eng_alert *a)
{
	for (size_t i = 0; i < os->n; i++)
		os->o[i]->ops->emit(os->o[i], a);
}

void eng_outputs_flush(struct eng_outputs *os)
{
	for (size_t i = 0; i < os->n; i++)
		os->o[i]->ops->flush(os->o[i]);
}

void eng_outputs_reopen(struct eng_outputs *os)
{
	for (size_t i = 0; i < os->n; i++)
		if (os->o[i]->ops->reopen)
			os->o[i]->ops->reopen(os->o[i]);
}

void eng_outputs_close(struct eng_outputs *os)
{
	for (size_t i = 0; i < os->n; i++)
		if (os->o[i]->ops->close)
			os->o[i]->ops->close(os->o[i]);
		else
			os->o[i]->ops->flush(os->o[i]);
}

static const char *carried_only(const struct eng_outputs *os, size_t k)
{
	for (size_t i = 0; i < os->n; i++)
		if (!strcmp(os->o[i]->name, os->carried[k].name))
			return NULL;
	return os->carried[k].name;
}

const char *eng_outputs_stats(const struct eng_outputs *os, size_t i, struct eng_out_stats *st)
{
	const char *name = NULL;
	*st = (struct eng_out_stats){0};
	if (i < os->n) {
		name = os->o[i]->name;
		os->o[i]->ops->stats(os->o[i], st);
	} else {
		i -= os->n;
		for (size_t k = 0; k < os->ncarried && !name; k++)
			if (carried_only(os, k) && !i--)
				name = os->carried[k].name;
		if (!name)
			return NULL;
	}
	for (size_t k = 0; k < os->ncarried; k++)
		if (!strcmp(os->carried[k].name, name)) {
			st->sent += os->carried[k].st.sent;
			st->failed += os->carried[k].st.failed;
			st->lost += os->carried[k].st.lost;
		}
	return name;
}

void eng_outputs_carry(struct eng_outputs *to, const struct eng_outputs *from)
{
	struct eng_out_stats st;
	const char *name;
	for (size_t i = 0; (name = eng_outputs_stats(from, i, &st)); i++) {
		size_t k = 0;
		while (k < to->ncarried && strcmp(to->carried[k].name, name))
			k++;
		if (k == MAX_OUTS)
			continue; /* cannot happen: at most one entry per kind of channel */
		if (k == to->ncarried)
			to->carried[to->ncarried++].name = name;
		to->carried[k].st.sent += st.sent;
		to->carried[k].st.failed += st.failed;
		to->carried[k].st.lost += st.lost;
	}
}

void eng_outputs_report(const struct eng_outputs *os, FILE *f)
{
	struct eng_out_stats st;
	const char *name;
	for (size_t i = 0; (name = eng_outputs_stats(os, i, &st)); i++) {
		if (!strcmp(name, "stdout") && !st.failed)
			continue; /* what stdout shows speaks for itself */
		fprintf(f, "pdig-engine: output %s: %llu alerts sent, %llu attempts failed, "
			   "%llu alerts lost\n", name, (unsigned long long)st.sent,
			(unsigned long long)st.failed, (unsigned long long)st.lost);
	}
}
