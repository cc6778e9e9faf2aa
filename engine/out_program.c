/*
 * The program channel: alerts written to the standard input of
 * `sh -c program_output.program`. With keep_alive one process gets every
 * alert and is started again if it dies; without, one process per alert,
 * as Falco does. Writes happen on the queue's thread: a program that does
 * not read loses alerts (counted), it does not stop the engine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eng_out.h"
#include "out_queue.h"

extern char **environ;

struct out_program {
	struct eng_out base;
	char *cmd;
	int keep_alive;
	pid_t pid;
	int fd;
	uint64_t starts;
	struct eng_outq *q;
};

static void stop_child(struct out_program *s)
{
	if (s->fd >= 0)
		close(s->fd); /* end of file: the program ends */
	s->fd = -1;
	if (s->pid > 0)
		waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

static int start_child(struct out_program *s)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	char *argv[] = {"sh", "-c", s->cmd, NULL};
	int rc = posix_spawn(&s->pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (rc) {
		close(p[1]);
		s->pid = 0;
		return -rc;
	}
	s->fd = p[1];
	s->starts++;
	return 0;
}

static int write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int deliver(void *ctx, const char *msg, size_t len)
{
	struct out_program *s = ctx;
	int rc;
	/* a program that has ended is started again before it is written to */
	if (s->pid > 0 && waitpid(s->pid, NULL, WNOHANG) == s->pid) {
		s->pid = 0;
		stop_child(s);
	}
	if (s->fd < 0 && (rc = start_child(s)))
		return rc;
	rc = write_all(s->fd, msg, len);
	if (!rc)
		rc = write_all(s->fd, "\n", 1);
	if (rc || !s->keep_alive)
		stop_child(s); /* a dead program (EPIPE) is started again at the retry */
	return rc;
}

static int po_emit(struct eng_out *o, const struct eng_alert *a)
{
	struct out_program *s = (struct out_program *)o;
	return eng_outq_push(s->q, a->line, strlen(a->line));
}

static void po_flush(struct eng_out *o)
{
	eng_outq_flush(((struct out_program *)o)->q, 2000);
}

static void po_close(struct eng_out *o)
{
	struct out_program *s = (struct out_program *)o;
	eng_outq_stop(s->q);
	stop_child(s); /* its last lines are written before the engine ends */
}

static void po_stats(const struct eng_out *o, struct eng_out_stats *st)
{
	eng_outq_stats(((const struct out_program *)o)->q, st);
}

static void po_free(struct eng_out *o)
{
	struct out_program *s = (struct out_program *)o;
	eng_outq_free(s->q);
	stop_child(s);
	free(s->cmd);
	free(s);
}

static const struct eng_out_ops program_ops = {
	.emit = po_emit, .flush = po_flush, .close = po_close, .stats = po_stats, .free = po_free,
};

int eng_out_program_new(struct eng_out **out, const struct eng_config *c, char *err,
			size_t errlen)
{
	if (!c->program || !*c->program) {
		snprintf(err, errlen, "program_output.enabled: program_output.program is not set");
		return -EINVAL;
	}
	struct out_program *s = calloc(1, sizeof(*s));
	if (!s || !(s->cmd = strdup(c->program)))
		goto nomem;
	s->base = (struct eng_out){&program_ops, "program"};
	s->keep_alive = c->program_keep_alive;
	s->fd = -1;
	/* a program that died must not kill the engine with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	if (eng_outq_new(&s->q, ENG_OUTQ_CAP(c), ENG_OUTQ_RETRIES, deliver, s))
		goto nomem;
	*out = &s->base;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	if (s)
		free(s->cmd);
	free(s);
	return -ENOMEM;
}
