/* The udig-compatible writer (see shm_udig.h): the layout legacy libscap reads. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_event.h"
#include "shm_udig.h"

struct shm_udig {
	uint8_t *ring; /* SHM_UDIG_RING_SIZE bytes, then the same bytes again */
	struct shm_udig_descs *d;
	int ring_fd, descs_fd;
	int32_t consumer; /* capturing pid when we last wrote */
	struct shm_udig_stats st;
};

static int open_obj(const char *name, size_t size, int *created, char *err, size_t errlen)
{
	*created = 0;
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		*created = 1;
		if (ftruncate(fd, (off_t)size) < 0) {
			int e = errno;
			snprintf(err, errlen, "cannot size %s: %s", name, strerror(e));
			close(fd);
			shm_unlink(name);
			return -e;
		}
		return fd;
	}
	if (errno != EEXIST) {
		int e = errno;
		snprintf(err, errlen, "cannot create %s: %s", name, strerror(e));
		return -e;
	}
	fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open %s: %s%s", name, strerror(e),
			 e == EACCES ? " (it belongs to another user: run pdig as that user, "
				       "or remove /dev/shm" : "");
		if (e == EACCES)
			snprintf(err + strlen(err), errlen - strlen(err), "%s)", name);
		return -e;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size != size) {
		snprintf(err, errlen, "%s has %lld bytes, legacy udig expects %zu: remove "
			 "/dev/shm%s (no udig reader may be running)", name,
			 (long long)st.st_size, size, name);
		close(fd);
		return -EPROTO;
	}
	return fd;
}

int shm_udig_open(struct shm_udig **out, char *err, size_t errlen)
{
	int created, rc;
	struct shm_udig *u = calloc(1, sizeof *u);
	if (!u)
		return -ENOMEM;
	u->ring_fd = u->descs_fd = -1;
	u->ring = MAP_FAILED;
	u->d = MAP_FAILED;

	rc = u->ring_fd = open_obj(SHM_UDIG_RING_NAME, SHM_UDIG_RING_SIZE, &created, err, errlen);
	if (rc < 0)
		goto err;
	/* Reserve twice the size, then map the object into both halves: a
	 * record that runs past the end lands at the start. */
	uint8_t *area = mmap(NULL, 2 * (size_t)SHM_UDIG_RING_SIZE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "cannot reserve 16 MiB for the udig ring: %s", strerror(-rc));
		goto err;
	}
	if (mmap(area, SHM_UDIG_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 u->ring_fd, 0) == MAP_FAILED ||
	    mmap(area + SHM_UDIG_RING_SIZE, SHM_UDIG_RING_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, u->ring_fd, 0) == MAP_FAILED) {
		rc = -errno;
		munmap(area, 2 * (size_t)SHM_UDIG_RING_SIZE);
		snprintf(err, errlen, "cannot map the udig ring twice: %s", strerror(-rc));
		goto err;
	}
	u->ring = area;
	madvise(area, 2 * (size_t)SHM_UDIG_RING_SIZE, MADV_DONTFORK);

	rc = u->descs_fd = open_obj(SHM_UDIG_DESCS_NAME, sizeof(struct shm_udig_descs), &created,
				    err, errlen);
	if (rc < 0)
		goto err;
	u->d = mmap(NULL, sizeof(struct shm_udig_descs), PROT_READ | PROT_WRITE, MAP_SHARED,
		    u->descs_fd, 0);
	if (u->d == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "cannot map the udig descriptors: %s", strerror(-rc));
		goto err;
	}
	madvise(u->d, sizeof(struct shm_udig_descs), MADV_DONTFORK);
	/* Whoever first flips the initialised flag sets up the status block
	 * (libscap does the same when it comes first). */
	int32_t zero = 0;
	if (__atomic_compare_exchange_n(&u->d->status.initialized, &zero, 1, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		u->d->status.buffer_lock = 0;
		u->d->status.capturing_pid = 0;
		u->d->status.stopped = 0;
		u->d->status.last_print_time.tv_sec = 0;
		u->d->status.last_print_time.tv_nsec = 0;
	}
	*out = u;
	return 0;
err:
	shm_udig_free(u);
	*out = NULL;
	return rc;
}

void shm_udig_free(struct shm_udig *u)
{
	if (!u)
		return;
	if (u->ring != MAP_FAILED)
		munmap(u->ring, 2 * (size_t)SHM_UDIG_RING_SIZE);
	if (u->d != MAP_FAILED)
		munmap(u->d, sizeof(struct shm_udig_descs));
	if (u->ring_fd >= 0)
		close(u->ring_fd);
	if (u->descs_fd >= 0)
		close(u->descs_fd);
	free(u);
}

int shm_udig_capturing(const struct shm_udig *u)
{
	return __atomic_load_n(&u->d->status.capturing_pid, __ATOMIC_ACQUIRE) != 0 &&
	       __atomic_load_n(&u->d->status.stopped, __ATOMIC_ACQUIRE) == 0;
}

/* The shared counters have one writer each way; the consumer zeroes them when
 * it starts, so we add to what is there instead of keeping our own copy. */
static void bump(uint64_t *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

void shm_udig_count_pf_drop(struct shm_udig *u)
{
	u->st.n_drops_pf++;
	if (shm_udig_capturing(u))
		bump(&u->d->info.n_drops_pf);
}

int shm_udig_write(struct shm_udig *u, const void *evt, uint32_t len)
{
	struct shm_udig_ring_info *ri = &u->d->info;
	struct shm_evt ev;

	int32_t pid = __atomic_load_n(&u->d->status.capturing_pid, __ATOMIC_ACQUIRE);
	if (!pid || __atomic_load_n(&u->d->status.stopped, __ATOMIC_ACQUIRE)) {
		u->st.n_idle++;
		return -ENOTCONN;
	}
	if (shm_evt_decode(&ev, evt, len, NULL, 0)) {
		u->st.n_bad++;
		return -EBADMSG;
	}
	uint32_t snaplen = __atomic_load_n(&u->d->status.consumer.snaplen, __ATOMIC_RELAXED);
	if (!snaplen)
		snaplen = SHM_UDIG_SNAPLEN;
	/* The record as the consumer wants it: data buffers cut to snaplen. */
	uint32_t lensize = shm_event_lensize(ev.type), out_len = len;
	for (uint32_t i = 0; i < ev.nparams; i++)
		if (ev.info->params[i].type == SHM_PT_BYTEBUF && ev.vlen[i] > snaplen)
			out_len -= ev.vlen[i] - snaplen;
	bump(&ri->n_evts);
	if (out_len >= SHM_UDIG_RING_SIZE / 2) {
		bump(&ri->n_drops_buffer);
		u->st.n_drops_buffer++;
		return -EMSGSIZE;
	}
	uint32_t head = __atomic_load_n(&ri->head, __ATOMIC_RELAXED);
	uint32_t tail = __atomic_load_n(&ri->tail, __ATOMIC_ACQUIRE);
	if (head >= SHM_UDIG_RING_SIZE || tail >= SHM_UDIG_RING_SIZE) {
		u->st.n_reset++;
		return -EPROTO; /* not ours to fix: a consumer wrote nonsense */
	}
	/* One byte always stays free: head == tail means empty. */
	uint32_t space = tail > head ? tail - head - 1 : SHM_UDIG_RING_SIZE + tail - head - 1;
	if (out_len > space) {
		bump(&ri->n_drops_buffer);
		u->st.n_drops_buffer++;
		return -ENOBUFS;
	}
	uint8_t *dst = u->ring + head;
	if (out_len == len) {
		memcpy(dst, evt, len);
	} else {
		const uint8_t *src = evt;
		uint32_t hl = SHM_EVT_HDR_LEN + (ev.nparams + ev.next) * lensize;
		uint32_t pos = hl;
		memcpy(dst, src, hl);
		memcpy(dst + 16, &out_len, 4); /* the header's len field */
		for (uint32_t i = 0; i < ev.nparams; i++) {
			uint32_t l = ev.vlen[i];
			if (ev.info->params[i].type == SHM_PT_BYTEBUF && l > snaplen) {
				l = snaplen;
				if (lensize == 2) {
					uint16_t s = (uint16_t)l;
					memcpy(dst + SHM_EVT_HDR_LEN + 2 * i, &s, 2);
				} else {
					memcpy(dst + SHM_EVT_HDR_LEN + 4 * i, &l, 4);
				}
			}
			memcpy(dst + pos, ev.val[i], l);
			pos += l;
		}
		for (uint32_t k = 0; k < ev.next; k++) { /* extensions stay whole */
			memcpy(dst + pos, ev.ext[k], ev.ext_len[k]);
			pos += ev.ext_len[k];
		}
		u->st.n_truncated++;
	}
	uint32_t next = (head + out_len) % SHM_UDIG_RING_SIZE;
	/* A consumer that (re)starts zeroes head and tail before it takes the
	 * capture: only move head if nobody did that meanwhile. */
	if (__atomic_load_n(&u->d->status.capturing_pid, __ATOMIC_ACQUIRE) != pid ||
	    !__atomic_compare_exchange_n(&ri->head, &head, next, 0, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED)) {
		u->st.n_reset++;
		return -ENOTCONN;
	}
	u->consumer = pid;
	u->st.n_written++;
	return 0;
}

void shm_udig_stats(const struct shm_udig *u, struct shm_udig_stats *st) { *st = u->st; }

struct shm_udig_descs *shm_udig_descs(struct shm_udig *u) { return u->d; }
