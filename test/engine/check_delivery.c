/* engine/out_queue.c (bounded queue, retries, lost counts) and engine/drops.c
 * (the drop alert's threshold, actions and rate limit). */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eng_drops.h"
#include "out_queue.h"

/* ---- the queue ---- */

struct sink {
	pthread_mutex_t mu;
	int fail_first;   /* deliveries that fail before any succeeds */
	int calls, ok;
	int hold;         /* 1: deliveries wait until released */
	char last[64];
};

static int deliver(void *ctx, const char *msg, size_t len)
{
	struct sink *s = ctx;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		int hold = s->hold;
		pthread_mutex_unlock(&s->mu);
		if (!hold)
			break;
		usleep(1000);
	}
	pthread_mutex_lock(&s->mu);
	int fail = s->calls++ < s->fail_first;
	if (!fail) {
		s->ok++;
		snprintf(s->last, sizeof s->last, "%.*s", (int)len, msg);
	}
	pthread_mutex_unlock(&s->mu);
	return fail ? -EIO : 0;
}

START_TEST(queue_delivers_in_order)
{
	struct sink s = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct eng_outq *q;
	ck_assert_int_eq(eng_outq_new(&q, 16, 3, deliver, &s), 0);
	char m[16];
	for (int i = 0; i < 10; i++) {
		int n = snprintf(m, sizeof m, "alert %d", i);
		ck_assert_int_eq(eng_outq_push(q, m, (size_t)n), 0);
	}
	eng_outq_flush(q, 5000);
	struct eng_out_stats st;
	eng_outq_stats(q, &st);
	ck_assert_uint_eq(st.sent, 10);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_str_eq(s.last, "alert 9");
	eng_outq_free(q);
}
END_TEST

START_TEST(queue_full_counts_lost)
{
	struct sink s = {.mu = PTHREAD_MUTEX_INITIALIZER, .hold = 1};
	struct eng_outq *q;
	ck_assert_int_eq(eng_outq_new(&q, 4, 0, deliver, &s), 0);
	/* the thread holds one, the queue four: the rest are refused at once */
	int refused = 0;
	for (int i = 0; i < 20; i++)
		refused += eng_outq_push(q, "x", 1) == -ENOBUFS;
	ck_assert_int_ge(refused, 15);
	ck_assert_int_le(refused, 16);
	pthread_mutex_lock(&s.mu);
	s.hold = 0;
	pthread_mutex_unlock(&s.mu);
	eng_outq_stop(q);
	struct eng_out_stats st;
	eng_outq_stats(q, &st);
	ck_assert_uint_eq(st.lost, (uint64_t)refused);
	ck_assert_uint_eq(st.sent + st.lost, 20);
	eng_outq_free(q);
}
END_TEST

START_TEST(queue_retries_then_gives_up)
{
	/* 5 failures, 2 retries (3 attempts an alert): the first alert is lost
	 * after 3, the second succeeds at its third attempt */
	struct sink s = {.mu = PTHREAD_MUTEX_INITIALIZER, .fail_first = 5};
	struct eng_outq *q;
	ck_assert_int_eq(eng_outq_new(&q, 8, 2, deliver, &s), 0);
	eng_outq_push(q, "a", 1);
	eng_outq_push(q, "b", 1);
	eng_outq_push(q, "c", 1);
	eng_outq_flush(q, 10000);
	struct eng_out_stats st;
	eng_outq_stats(q, &st);
	ck_assert_uint_eq(st.failed, 5);
	ck_assert_uint_eq(st.lost, 1);
	ck_assert_uint_eq(st.sent, 2);
	ck_assert_str_eq(s.last, "c");
	eng_outq_free(q);
}
END_TEST

/* ---- the drop alert ---- */

struct fake_source {
	struct eng_source base;
	uint64_t lost;
};

static uint64_t fake_lost(const struct eng_source *s)
{
	return ((const struct fake_source *)s)->lost;
}

static const struct eng_source_ops fake_ops = {.lost = fake_lost};

START_TEST(drops_threshold_and_rate)
{
	struct eng_config c;
	eng_config_init(&c);
	c.drops_actions = ENG_DROP_LOG;
	c.drops_threshold = 0.1;
	c.drops_rate = 1e-9; /* no new token during the test */
	c.drops_max_burst = 2;
	struct fake_source src = {.base = {.ops = &fake_ops, .name = "fake"}};
	struct eng_drops d = {0};
	eng_drops_init(&d, &c);
	/* 5 lost of 1005: under the threshold */
	src.lost = 5;
	ck_assert_int_eq(eng_drops_check(&d, &src.base, 1000, NULL, NULL), 0);
	ck_assert_uint_eq(d.actions_taken, 0);
	/* 500 lost of 1500: over it, three times; the burst allows two */
	for (int i = 1; i <= 3; i++) {
		src.lost += 500;
		ck_assert_int_eq(eng_drops_check(&d, &src.base, 1000 + 1000 * (uint64_t)i, NULL, NULL), 0);
	}
	ck_assert_uint_eq(d.actions_taken, 2);
	ck_assert_uint_eq(d.suppressed, 1);
	/* nothing new lost: nothing */
	ck_assert_int_eq(eng_drops_check(&d, &src.base, 9000, NULL, NULL), 0);
	ck_assert_uint_eq(d.actions_taken + d.suppressed, 3);
	/* exit: reported to the caller */
	c.drops_actions = ENG_DROP_EXIT;
	c.drops_rate = 1e9; /* a token again at once */
	src.lost += 1000;
	ck_assert_int_eq(eng_drops_check(&d, &src.base, 9100, NULL, NULL), -ECANCELED);
	/* ignore wins */
	c.drops_actions = ENG_DROP_IGNORE | ENG_DROP_EXIT;
	src.lost += 1000;
	ck_assert_int_eq(eng_drops_check(&d, &src.base, 9200, NULL, NULL), 0);
	eng_config_clear(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("delivery");
	TCase *tc = tcase_create("delivery");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, queue_delivers_in_order);
	tcase_add_test(tc, queue_full_counts_lost);
	tcase_add_test(tc, queue_retries_then_gives_up);
	tcase_add_test(tc, drops_threshold_and_rate);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
