/* The tracer object and its table of tracees, keyed by tid. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "pdig.h"
#include "procfs.h"

/* Room for one record: the largest paths and argument blocks, and snaplen. */
#define PD_EVBUF_SIZE (256u * 1024u)

int pd_tracer_init(struct pd_tracer *tr, const struct pd_opts *opts)
{
	memset(tr, 0, sizeof *tr);
	tr->opts = opts;
	tr->fwd_fd = -1;
	tr->nbuckets = 256;
	tr->buckets = calloc(tr->nbuckets, sizeof *tr->buckets);
	tr->evcap = PD_EVBUF_SIZE;
	tr->evbuf = malloc(tr->evcap);
	tr->pi = malloc(sizeof *tr->pi);
	if (!tr->buckets || !tr->evbuf || !tr->pi || pd_proc_cache_new(&tr->pcache) < 0)
		goto err;
	memset(tr->i386_map, 0xff, sizeof tr->i386_map);
	memset(tr->x32_map, 0xff, sizeof tr->x32_map);
	return 0;
err:
	pd_tracer_fini(tr);
	return -ENOMEM;
}

void pd_tracer_fini(struct pd_tracer *tr)
{
	for (size_t i = 0; tr->buckets && i < tr->nbuckets; i++) {
		struct pd_tracee *t = tr->buckets[i];
		while (t) {
			struct pd_tracee *next = t->hnext;
			pd_proc_task_close(&t->proc);
			free(t);
			t = next;
		}
	}
	free(tr->buckets);
	free(tr->evbuf);
	free(tr->pi);
	pd_proc_cache_free(tr->pcache);
	tr->pcache = NULL;
	free(tr->bpf);
	free(tr->aprocs);
	tr->bpf = NULL;
	tr->aprocs = NULL;
	tr->buckets = NULL;
	tr->evbuf = NULL;
	tr->pi = NULL;
}

static size_t slot(const struct pd_tracer *tr, pid_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (tr->nbuckets - 1);
}

struct pd_tracee *pd_tracee_find(struct pd_tracer *tr, pid_t tid)
{
	for (struct pd_tracee *t = tr->buckets[slot(tr, tid)]; t; t = t->hnext)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* Doubles the table; on allocation failure the chains just get longer. */
static void grow(struct pd_tracer *tr)
{
	size_t n = tr->nbuckets * 2;
	struct pd_tracee **b = calloc(n, sizeof *b);
	if (!b)
		return;
	struct pd_tracee **old = tr->buckets;
	size_t oldn = tr->nbuckets;
	tr->buckets = b;
	tr->nbuckets = n;
	for (size_t i = 0; i < oldn; i++) {
		struct pd_tracee *t = old[i];
		while (t) {
			struct pd_tracee *next = t->hnext;
			size_t s = slot(tr, t->tid);
			t->hnext = b[s];
			b[s] = t;
			t = next;
		}
	}
	free(old);
}

struct pd_tracee *pd_tracee_add(struct pd_tracer *tr, pid_t tid)
{
	struct pd_tracee *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	if (tr->count >= tr->nbuckets * 2)
		grow(tr);
	t->tid = tid;
	pd_proc_task_init(&t->proc);
	size_t s = slot(tr, tid);
	t->hnext = tr->buckets[s];
	tr->buckets[s] = t;
	tr->count++;
	return t;
}

void pd_tracee_del(struct pd_tracer *tr, struct pd_tracee *t)
{
	for (struct pd_tracee **pp = &tr->buckets[slot(tr, t->tid)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == t) {
			*pp = t->hnext;
			tr->count--;
			pd_proc_task_close(&t->proc);
			free(t);
			return;
		}
	}
}

void pd_resume(struct pd_tracee *t, int sig)
{
	long req = (t->flags & (PD_T_IN_SYSCALL | PD_T_PLAIN)) ? PTRACE_SYSCALL : PTRACE_CONT;
	ptrace(req, t->tid, 0, (long)sig); /* ESRCH: killed meanwhile */
}
