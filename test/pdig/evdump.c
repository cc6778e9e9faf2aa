/*
 * Prints events one line each:
 *   DIR NAME tid=TID param=value ...     (DIR: '>' enter, '<' exit)
 *
 *   evdump FILE         the bare records pdig writes with --raw; every record
 *                       goes through shm_evt_decode, so a malformed one fails
 *                       (exit 1, with the offset and the reason)
 *   evdump --ring NAME  what a named ring holds, read as pdig-engine does,
 *                       until it stays empty for half a second
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_event.h"
#include "shm_ring.h"

static void print_bytes(const uint8_t *p, uint32_t n, int stop_at_nul)
{
	for (uint32_t i = 0; i < n; i++) {
		if (p[i] == 0) {
			if (stop_at_nul)
				break;
			if (i + 1 < n)
				putchar(' ');
			continue;
		}
		putchar(isprint(p[i]) && p[i] != ' ' ? p[i] : '.');
	}
}

static void print_sock(const uint8_t *p, uint32_t n, int tuple)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint16_t sp, dp;
	if (n < 1)
		return;
	if (p[0] == 2 && !tuple && n >= 7) {
		inet_ntop(AF_INET, p + 1, a, sizeof a);
		memcpy(&sp, p + 5, 2);
		printf("%s:%u", a, sp);
	} else if (p[0] == 2 && tuple && n >= 13) {
		inet_ntop(AF_INET, p + 1, a, sizeof a);
		inet_ntop(AF_INET, p + 7, b, sizeof b);
		memcpy(&sp, p + 5, 2);
		memcpy(&dp, p + 11, 2);
		printf("%s:%u->%s:%u", a, sp, b, dp);
	} else if (p[0] == 10 && !tuple && n >= 19) {
		inet_ntop(AF_INET6, p + 1, a, sizeof a);
		memcpy(&sp, p + 17, 2);
		printf("[%s]:%u", a, sp);
	} else if (p[0] == 10 && tuple && n >= 37) {
		inet_ntop(AF_INET6, p + 1, a, sizeof a);
		inet_ntop(AF_INET6, p + 19, b, sizeof b);
		memcpy(&sp, p + 17, 2);
		memcpy(&dp, p + 35, 2);
		printf("[%s]:%u->[%s]:%u", a, sp, b, dp);
	} else if (p[0] == 1) {
		uint32_t off = tuple ? 17 : 1;
		printf("unix:");
		if (n > off)
			print_bytes(p + off, n - off, 1);
	} else {
		printf("family%u", p[0]);
	}
}

static void print_param(const struct shm_evt *ev, unsigned i)
{
	const struct shm_param_info *pi = &ev->info->params[i];
	const uint8_t *v = ev->val[i];
	uint32_t n = ev->vlen[i];
	uint64_t u = 0;
	printf(" %s=", pi->name);
	if (n == 0) {
		printf("<NA>");
		return;
	}
	switch (pi->type) {
	case SHM_PT_INT8: case SHM_PT_INT16: case SHM_PT_INT32: case SHM_PT_INT64:
	case SHM_PT_ERRNO: case SHM_PT_FD: case SHM_PT_PID: {
		int64_t s = 0;
		if (n == 1) s = (int8_t)v[0];
		else if (n == 2) { int16_t x; memcpy(&x, v, 2); s = x; }
		else if (n == 4) { int32_t x; memcpy(&x, v, 4); s = x; }
		else memcpy(&s, v, 8);
		printf("%lld", (long long)s);
		break;
	}
	case SHM_PT_CHARBUF: case SHM_PT_FSPATH: case SHM_PT_FSRELPATH:
		print_bytes(v, n, 1);
		break;
	case SHM_PT_BYTEBUF:
		print_bytes(v, n, 0);
		break;
	case SHM_PT_SOCKADDR:
		print_sock(v, n, 0);
		break;
	case SHM_PT_SOCKTUPLE:
		print_sock(v, n, 1);
		break;
	case SHM_PT_DYN:
		memcpy(&u, v + 1, n - 1 < 8 ? n - 1 : 8);
		printf("%llu", (unsigned long long)u);
		break;
	default:
		memcpy(&u, v, n < 8 ? n : 8);
		if (pi->fmt == SHM_PF_HEX || pi->type == SHM_PT_FLAGS8 || pi->type == SHM_PT_FLAGS16 ||
		    pi->type == SHM_PT_FLAGS32)
			printf("%#llx", (unsigned long long)u);
		else if (pi->fmt == SHM_PF_OCT)
			printf("0%llo", (unsigned long long)u);
		else
			printf("%llu", (unsigned long long)u);
	}
}

static void print_event(const struct shm_evt *ev)
{
	printf("%c %s tid=%llu", shm_event_is_enter(ev->type) ? '>' : '<', ev->info->name,
	       (unsigned long long)ev->tid);
	for (unsigned i = 0; i < ev->nparams; i++)
		print_param(ev, i);
	putchar('\n');
}

static int dump_ring(const char *name)
{
	struct shm_ring_cons *c;
	struct shm_evt ev;
	struct shm_ring_src src;
	int rc = shm_ring_cons_new(&c, NULL);
	if (rc < 0)
		return 1;
	rc = shm_ring_cons_add_name(c, name, 0, NULL);
	if (rc < 0) {
		fprintf(stderr, "evdump: ring %s: %s\n", name, shm_ring_cons_error(c));
		shm_ring_cons_free(c);
		return 1;
	}
	while ((rc = shm_ring_cons_next(c, &ev, &src, 500)) == 0)
		print_event(&ev);
	struct shm_ring_cons_stats st;
	shm_ring_cons_stats(c, &st);
	fprintf(stderr, "evdump: %llu read, %llu dropped, %llu corrupt\n",
		(unsigned long long)st.n_read, (unsigned long long)st.n_drops,
		(unsigned long long)st.n_corrupt);
	shm_ring_cons_free(c);
	return rc == -EAGAIN && st.n_corrupt == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--ring") == 0)
		return dump_ring(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: evdump FILE | evdump --ring NAME\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "evdump: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	size_t cap = 1 << 20, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		return 1;
	size_t off = 0;
	while (off < len) {
		struct shm_evt ev;
		char why[160];
		if (shm_evt_decode(&ev, buf + off, len - off, why, sizeof why) < 0) {
			fprintf(stderr, "evdump: bad record at offset %zu: %s\n", off, why);
			return 1;
		}
		print_event(&ev);
		off += ev.len;
	}
	free(buf);
	return 0;
}
