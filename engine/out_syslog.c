/*
 * The syslog channel: each alert a datagram to the local syslog socket
 * (syslog_output.socket, /dev/log by default) in the BSD format, with the
 * rule's priority as the severity (Falco's priorities are syslog's levels)
 * and facility user. Sent from the queue's thread: a daemon that does not
 * keep up makes the queue fill, and the alerts beyond it are counted lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "eng_out.h"
#include "out_queue.h"

#define LOG_USER_FACILITY 1

struct out_syslog {
	struct eng_out base;
	struct sockaddr_un addr;
	int fd;
	struct eng_outq *q;
};

static int deliver(void *ctx, const char *msg, size_t len)
{
	struct out_syslog *s = ctx;
	if (sendto(s->fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&s->addr,
		   sizeof(s->addr)) == (ssize_t)len)
		return 0;
	return -errno; /* a daemon restarted or gone: retried */
}

static int sl_emit(struct eng_out *o, const struct eng_alert *a)
{
	struct out_syslog *s = (struct out_syslog *)o;
	char buf[8192], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	int n = snprintf(buf, sizeof(buf), "<%d>%s pdig-engine[%d]: %s",
			 LOG_USER_FACILITY * 8 + (int)a->priority, stamp, (int)getpid(), a->line);
	if (n < 0)
		return -EINVAL;
	return eng_outq_push(s->q, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void sl_flush(struct eng_out *o)
{
	eng_outq_flush(((struct out_syslog *)o)->q, 2000);
}

static void sl_close(struct eng_out *o)
{
	eng_outq_stop(((struct out_syslog *)o)->q);
}

static void sl_stats(const struct eng_out *o, struct eng_out_stats *st)
{
	eng_outq_stats(((const struct out_syslog *)o)->q, st);
}

static void sl_free(struct eng_out *o)
{
	struct out_syslog *s = (struct out_syslog *)o;
	eng_outq_free(s->q);
	close(s->fd);
	free(s);
}

static const struct eng_out_ops syslog_ops = {
	.emit = sl_emit, .flush = sl_flush, .close = sl_close, .stats = sl_stats, .free = sl_free,
};

int eng_out_syslog_new(struct eng_out **out, const struct eng_config *c, char *err,
		       size_t errlen)
{
	const char *path = c->syslog_socket ? c->syslog_socket : "/dev/log";
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "syslog_output.socket: %s is too long a path", path);
		return -EINVAL;
	}
	struct out_syslog *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->base = (struct eng_out){&syslog_ops, "syslog"};
	s->addr.sun_family = AF_UNIX;
	strcpy(s->addr.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		int rc = -errno;
		snprintf(err, errlen, "syslog: socket: %s", strerror(errno));
		free(s);
		return rc;
	}
	/* a daemon that stopped reading must not hold the thread for ever */
	struct timeval tv = {1, 0};
	setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (eng_outq_new(&s->q, ENG_OUTQ_CAP(c), ENG_OUTQ_RETRIES, deliver, s)) {
		close(s->fd);
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = &s->base;
	return 0;
}
