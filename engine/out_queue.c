/* The delivery thread of the blocking channels (see out_queue.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out_queue.h"

#define BACKOFF_FIRST_MS 50
#define BACKOFF_MAX_MS 2000
#define FREE_FLUSH_MS 3000 /* at exit, how long alerts may still take */

struct msg {
	char *text;
	size_t len;
};

struct eng_outq {
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	struct msg *ring;
	size_t cap, head, count;
	int busy;     /* the thread holds a message it took off the queue */
	int stopping;
	int stopped;  /* the thread has ended */
	int retries;
	eng_outq_fn fn;
	void *ctx;
	pthread_t thread;
	struct eng_out_stats st;
};

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *worker(void *arg)
{
	struct eng_outq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->count && !q->stopping)
			pthread_cond_wait(&q->wake, &q->mu);
		if (!q->count)
			break;
		struct msg m = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->busy = 1;
		int pause = BACKOFF_FIRST_MS, ok = 0;
		for (int attempt = 0; attempt <= q->retries; attempt++) {
			pthread_mutex_unlock(&q->mu);
			ok = q->fn(q->ctx, m.text, m.len) == 0;
			pthread_mutex_lock(&q->mu);
			if (ok)
				break;
			q->st.failed++;
			if (attempt == q->retries || q->stopping)
				break;
			/* a pause that the end of the engine cuts short */
			struct timespec ts;
			deadline_in(&ts, pause);
			while (!q->stopping &&
			       pthread_cond_timedwait(&q->wake, &q->mu, &ts) != ETIMEDOUT)
				;
			pause = pause * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : pause * 2;
		}
		if (ok)
			q->st.sent++;
		else
			q->st.lost++;
		free(m.text);
		q->busy = 0;
		if (!q->count)
			pthread_cond_broadcast(&q->idle);
	}
	q->busy = 0;
	pthread_cond_broadcast(&q->idle);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int eng_outq_new(struct eng_outq **out, size_t cap, int retries, eng_outq_fn fn, void *ctx)
{
	struct eng_outq *q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->cap = cap ? cap : 1;
	q->retries = retries;
	q->fn = fn;
	q->ctx = ctx;
	if (!(q->ring = calloc(q->cap, sizeof(*q->ring))))
		goto err;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->wake, NULL);
	pthread_cond_init(&q->idle, NULL);
	if (pthread_create(&q->thread, NULL, worker, q)) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->wake);
		pthread_cond_destroy(&q->idle);
		goto err;
	}
	*out = q;
	return 0;
err:
	free(q->ring);
	free(q);
	return -ENOMEM;
}

int eng_outq_push(struct eng_outq *q, const char *msg, size_t len)
{
	char *copy = malloc(len + 1);
	pthread_mutex_lock(&q->mu);
	if (!copy || q->count == q->cap || q->stopping) {
		q->st.lost++;
		pthread_mutex_unlock(&q->mu);
		free(copy);
		return copy ? -ENOBUFS : -ENOMEM;
	}
	memcpy(copy, msg, len);
	copy[len] = 0;
	q->ring[(q->head + q->count) % q->cap] = (struct msg){copy, len};
	q->count++;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void eng_outq_flush(struct eng_outq *q, int timeout_ms)
{
	struct timespec ts;
	deadline_in(&ts, timeout_ms);
	pthread_mutex_lock(&q->mu);
	while ((q->count || q->busy) &&
	       pthread_cond_timedwait(&q->idle, &q->mu, &ts) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&q->mu);
}

void eng_outq_stats(struct eng_outq *q, struct eng_out_stats *st)
{
	if (q->stopped) {
		*st = q->st;
		return;
	}
	pthread_mutex_lock(&q->mu);
	*st = q->st;
	pthread_mutex_unlock(&q->mu);
}

void eng_outq_stop(struct eng_outq *q)
{
	if (q->stopped)
		return;
	eng_outq_flush(q, FREE_FLUSH_MS);
	pthread_mutex_lock(&q->mu);
	/* what could not go out in time is lost, and counted */
	while (q->count) {
		free(q->ring[q->head].text);
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->st.lost++;
	}
	q->stopping = 1;
	pthread_cond_broadcast(&q->wake);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	q->stopped = 1;
}

void eng_outq_free(struct eng_outq *q)
{
	if (!q)
		return;
	eng_outq_stop(q);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->wake);
	pthread_cond_destroy(&q->idle);
	free(q->ring);
	free(q);
}
