/* Our udig layout (shm_udig.h) against libscap's own headers, field by field:
 * a drifting offset would make sysdig -u read garbage. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>

#include "driver/ppm_ringbuffer.h"
#include "driver/ppm_events_public.h"
#include "userspace/libscap/scap.h"
#include "shm_udig.h"

static int failures;

#define SAME(ours, theirs, field_o, field_t)                                              \
	do {                                                                              \
		size_t a = offsetof(ours, field_o), b = offsetof(theirs, field_t);        \
		size_t sa = sizeof(((ours *)0)->field_o), sb = sizeof(((theirs *)0)->field_t); \
		if (a != b || sa != sb) {                                                 \
			printf("MISMATCH: %s: offset %zu size %zu, libscap %zu %zu\n",    \
			       #field_o, a, sa, b, sb);                                   \
			failures++;                                                       \
		}                                                                         \
	} while (0)

int main(void)
{
	SAME(struct shm_udig_ring_info, struct ppm_ring_buffer_info, head, head);
	SAME(struct shm_udig_ring_info, struct ppm_ring_buffer_info, tail, tail);
	SAME(struct shm_udig_ring_info, struct ppm_ring_buffer_info, n_evts, n_evts);
	SAME(struct shm_udig_ring_info, struct ppm_ring_buffer_info, n_drops_buffer, n_drops_buffer);
	SAME(struct shm_udig_ring_info, struct ppm_ring_buffer_info, n_drops_pf, n_drops_pf);
	SAME(struct shm_udig_ring_info, struct ppm_ring_buffer_info, n_preemptions, n_preemptions);
	SAME(struct shm_udig_ring_info, struct ppm_ring_buffer_info, n_context_switches,
	     n_context_switches);
	SAME(struct shm_udig_status, struct udig_ring_buffer_status, buffer_lock, m_buffer_lock);
	SAME(struct shm_udig_status, struct udig_ring_buffer_status, initialized, m_initialized);
	SAME(struct shm_udig_status, struct udig_ring_buffer_status, capturing_pid, m_capturing_pid);
	SAME(struct shm_udig_status, struct udig_ring_buffer_status, stopped, m_stopped);
	SAME(struct shm_udig_status, struct udig_ring_buffer_status, last_print_time,
	     m_last_print_time);
	SAME(struct shm_udig_status, struct udig_ring_buffer_status, consumer, m_consumer);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, snaplen, snaplen);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, sampling_ratio, sampling_ratio);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, do_dynamic_snaplen, do_dynamic_snaplen);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, sampling_interval, sampling_interval);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, is_dropping, is_dropping);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, dropping_mode, dropping_mode);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, need_to_insert_drop_e,
	     need_to_insert_drop_e);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, need_to_insert_drop_x,
	     need_to_insert_drop_x);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, fullcapture_port_range_start,
	     fullcapture_port_range_start);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, fullcapture_port_range_end,
	     fullcapture_port_range_end);
	SAME(struct shm_udig_consumer, struct udig_consumer_t, statsd_port, statsd_port);
	if (sizeof(struct shm_udig_descs) !=
	    sizeof(struct ppm_ring_buffer_info) + sizeof(struct udig_ring_buffer_status)) {
		printf("MISMATCH: udig_descs is %zu bytes, libscap maps %zu\n",
		       sizeof(struct shm_udig_descs),
		       sizeof(struct ppm_ring_buffer_info) + sizeof(struct udig_ring_buffer_status));
		failures++;
	}
	if (SHM_UDIG_RING_SIZE != UDIG_RING_SIZE || SHM_UDIG_RING_SIZE != RING_BUF_SIZE) {
		printf("MISMATCH: ring size %u, libscap %u / %u\n", SHM_UDIG_RING_SIZE,
		       (unsigned)UDIG_RING_SIZE, (unsigned)RING_BUF_SIZE);
		failures++;
	}
	if (strcmp(&SHM_UDIG_RING_NAME[1], UDIG_RING_SM_FNAME) ||
	    strcmp(&SHM_UDIG_DESCS_NAME[1], UDIG_RING_DESCS_SM_FNAME)) {
		printf("MISMATCH: shm names\n");
		failures++;
	}
	if (SHM_UDIG_SNAPLEN != RW_SNAPLEN) {
		printf("MISMATCH: default snaplen\n");
		failures++;
	}
	printf("%s: udig layout checked against libscap's headers\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
