/*
 * The traced container's metadata, read once at start (trace.h).
 *
 * ECS: ${ECS_CONTAINER_METADATA_URI_V4} answers a GET with the container's
 * JSON (DockerId, Name, DockerName, Image, ImageID, Labels, ...). It is
 * plain http on 169.254.170.2, so a socket and a few lines of HTTP/1.1 do:
 * no curl, no TLS, no resolver, nothing a static binary lacks. Everything
 * is bounded by one deadline: a missing or stuck endpoint delays the start
 * by at most the timeout, once, and the command still runs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "shm_container.h"
#include "shm_json.h"
#include "trace.h"

#define RESP_MAX (256 * 1024) /* the container's JSON is a few KiB */

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 0 ready, -ETIMEDOUT. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {fd, events, 0};
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* http://A.B.C.D[:PORT][/PATH] */
static int parse_url(const char *url, struct sockaddr_in *sa, char *host, size_t hostcap,
		     const char **path, char *why, size_t whylen)
{
	if (strncmp(url, "http://", 7)) {
		snprintf(why, whylen, "'%s' is not an http:// address", url);
		return -EINVAL;
	}
	const char *h = url + 7, *end = h + strcspn(h, "/:");
	size_t hl = (size_t)(end - h);
	if (!hl || hl >= hostcap) {
		snprintf(why, whylen, "no host in '%s'", url);
		return -EINVAL;
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons(80);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		/* no resolver on purpose: the endpoint is a link-local address */
		snprintf(why, whylen, "the host of '%s' is not an IPv4 address", url);
		return -EINVAL;
	}
	if (*end == ':') {
		char *e;
		long port = strtol(end + 1, &e, 10);
		if (e == end + 1 || port <= 0 || port > 65535 || (*e && *e != '/')) {
			snprintf(why, whylen, "bad port in '%s'", url);
			return -EINVAL;
		}
		sa->sin_port = htons((uint16_t)port);
		end = e;
	}
	*path = *end ? end : "/";
	return 0;
}

/* The value of header name (case-insensitive) in the head, or NULL. */
static const char *header(const char *head, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	for (const char *l = strstr(head, "\r\n"); l && l[2] != '\r';) {
		l += 2;
		const char *eol = strstr(l, "\r\n");
		if (!eol)
			return NULL;
		if ((size_t)(eol - l) > nl && !strncasecmp(l, name, nl) && l[nl] == ':') {
			const char *v = l + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			*len = (size_t)(eol - v);
			return v;
		}
		l = eol;
	}
	return NULL;
}

/* Chunked body in place: 0, -EAGAIN when it is not complete yet (body
 * untouched: more may come), -EINVAL. Checked whole before anything moves. */
static int dechunk(char *body, size_t n, size_t *out)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t r = 0, w = 0;
		for (;;) {
			char *e;
			const char *crlf = memmem(body + r, n - r, "\r\n", 2);
			if (!crlf)
				return -EAGAIN;
			unsigned long sz = strtoul(body + r, &e, 16);
			if (e == body + r)
				return -EINVAL;
			r = (size_t)(crlf - body) + 2;
			if (sz == 0)
				break;
			if (sz > n - r || n - r - sz < 2)
				return -EAGAIN;
			if (pass)
				memmove(body + w, body + r, sz);
			w += sz;
			r += sz + 2;
		}
		*out = w;
	}
	return 0;
}

/* A complete response in buf[0..n) (NUL-terminated): 1 with the body moved
 * to the start of buf, 0 when more is needed, -EINVAL with why. */
static int parse_response(char *buf, size_t n, int eof, size_t *bodylen, char *why,
			  size_t whylen)
{
	char *sep = strstr(buf, "\r\n\r\n");
	if (!sep)
		return eof ? (snprintf(why, whylen, "the answer has no HTTP header"), -EINVAL) : 0;
	int code = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1) {
		snprintf(why, whylen, "the answer is not HTTP");
		return -EINVAL;
	}
	if (code != 200) {
		snprintf(why, whylen, "HTTP status %d", code);
		return -EINVAL;
	}
	sep[2] = 0; /* the head alone, its last line ending in CRLF, for header() */
	size_t vl;
	const char *te = header(buf, "Transfer-Encoding", &vl);
	const char *cl = header(buf, "Content-Length", &vl);
	char *body = sep + 4;
	size_t have = n - (size_t)(body - buf);
	size_t len = have;
	if (te && !strncasecmp(te, "chunked", 7)) {
		int rc = dechunk(body, have, &len);
		if (rc == -EAGAIN && !eof) {
			sep[2] = '\r';
			return 0;
		}
		if (rc) {
			snprintf(why, whylen, "a damaged chunked answer");
			return -EINVAL;
		}
	} else if (cl) {
		unsigned long want = strtoul(cl, NULL, 10);
		if (have < want) {
			if (eof) {
				snprintf(why, whylen, "the answer was cut short");
				return -EINVAL;
			}
			sep[2] = '\r';
			return 0;
		}
		len = want;
	} else if (!eof) {
		sep[2] = '\r';
		return 0; /* until the server closes */
	}
	memmove(buf, body, len);
	buf[len] = 0;
	*bodylen = len;
	return 1;
}

int tr_http_get(const char *url, int timeout_ms, char *body, size_t cap, char *why,
		size_t whylen)
{
	struct sockaddr_in sa;
	char host[256], req[1024];
	const char *path;
	long long deadline = now_ms() + timeout_ms;
	int rc = parse_url(url, &sa, host, sizeof host, &path, why, whylen);
	if (rc)
		return rc;
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: pdig-trace\r\n"
			 "Accept: application/json\r\nConnection: close\r\n\r\n",
			 path, host);
	if (n < 0 || (size_t)n >= sizeof req) {
		snprintf(why, whylen, "the address is too long");
		return -EINVAL;
	}
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -errno;
	}
	char *buf = malloc(RESP_MAX + 1);
	size_t got = 0, len = 0;
	if (!buf) {
		close(s);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
		rc = -errno;
		snprintf(why, whylen, "connect to %s: %s", host, strerror(errno));
		goto out;
	}
	if ((rc = wait_fd(s, POLLOUT, deadline))) {
		snprintf(why, whylen, "no connection to %s within %d ms", host, timeout_ms);
		goto out;
	}
	int err = 0;
	socklen_t el = sizeof err;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		rc = -err;
		snprintf(why, whylen, "connect to %s: %s", host, strerror(err));
		goto out;
	}
	for (int off = 0; off < n;) {
		ssize_t w = send(s, req + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if ((rc = wait_fd(s, POLLOUT, deadline))) {
				snprintf(why, whylen, "%s took more than %d ms", host, timeout_ms);
				goto out;
			}
			continue;
		}
		if (w < 0) {
			rc = -errno;
			snprintf(why, whylen, "send to %s: %s", host, strerror(errno));
			goto out;
		}
		off += (int)w;
	}
	for (;;) {
		if ((rc = wait_fd(s, POLLIN, deadline))) {
			snprintf(why, whylen, "%s did not answer within %d ms", host, timeout_ms);
			goto out;
		}
		ssize_t r = recv(s, buf + got, RESP_MAX - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(why, whylen, "receive from %s: %s", host, strerror(errno));
			goto out;
		}
		got += (size_t)r;
		buf[got] = 0;
		int eof = r == 0 || got == RESP_MAX;
		rc = parse_response(buf, got, eof, &len, why, whylen);
		if (rc < 0)
			goto out;
		if (rc == 1)
			break;
		if (eof) {
			snprintf(why, whylen, "the answer is larger than %d bytes", RESP_MAX);
			rc = -E2BIG;
			goto out;
		}
	}
	rc = 0;
	if (len >= cap)
		len = cap - 1;
	memcpy(body, buf, len);
	body[len] = 0;
out:
	free(buf);
	close(s);
	return rc;
}

/* ---- the task's metadata: the entry of one of its containers ---- */

struct find_container {
	const char *name;
	const char *obj; /* the entry's '{' */
};

static int container_entry(struct shm_json *j, const char *key, void *ctx)
{
	struct find_container *f = ctx;
	if (strcmp(key, "Containers") || j->p >= j->end || *j->p != '[')
		return shm_json_skip(j);
	j->p++;
	for (;;) {
		char v[256];
		shm_json_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		const char *obj = j->p;
		if (!f->obj && shm_json_get_string(obj, (size_t)(j->end - obj), "Name", v, sizeof v) == 1 &&
		    !strcmp(v, f->name))
			f->obj = obj;
		if (shm_json_skip(j))
			return -1;
		shm_json_ws(j);
		if (j->p < j->end && *j->p == ',')
			j->p++;
	}
}

/* The object of the "Containers" array of a task's metadata whose "Name" is
 * name: a pointer to its '{', or NULL. */
static const char *task_container(const char *json, const char *name)
{
	struct shm_json j;
	struct find_container f = {name, NULL};
	shm_json_init(&j, json, strlen(json));
	return shm_json_object(&j, container_entry, &f) ? NULL : f.obj;
}

int tr_json_get(const char *json, const char *key, char *out, size_t cap)
{
	int rc = shm_json_get_string(json, strlen(json), key, out, cap);
	return rc < 0 ? -EINVAL : rc;
}

/* ECS's container id: a docker id (64 hex digits, EC2 tasks) is cut to 12
 * as sysdig shows it; Fargate's "TASK-NUMBER" ids are kept whole. */
static void short_id(char *id)
{
	size_t n = strspn(id, "0123456789abcdef");
	if (n == 64 && !id[64])
		id[12] = 0;
}

int tr_uri_id(char *out, size_t cap) { return shm_container_ecs_id(out, cap, NULL); }

static void env_copy(const char *var, char *out, size_t cap)
{
	const char *v = getenv(var);
	if (v && v[0])
		snprintf(out, cap, "%s", v);
}

int tr_meta_read(struct tr_meta *m, int timeout_ms, char *why, size_t whylen)
{
	int rc = 0;
	memset(m, 0, sizeof *m);
	why[0] = 0;
	const char *uri = getenv("ECS_CONTAINER_METADATA_URI_V4");
	if (!uri || !uri[0])
		uri = getenv("ECS_CONTAINER_METADATA_URI");
	/* a sidecar describes another container of its task: the task's
	 * metadata, that container's entry */
	const char *other = getenv("PDIG_ECS_CONTAINER");
	if (uri && uri[0] && timeout_ms > 0) {
		char *body = malloc(RESP_MAX + 1);
		char url[1024];
		if (!body)
			return -ENOMEM;
		snprintf(url, sizeof url, "%s%s", uri, other && other[0] ? "/task" : "");
		rc = tr_http_get(url, timeout_ms, body, RESP_MAX + 1, why, whylen);
		const char *obj = body;
		if (!rc && other && other[0] && !(obj = task_container(body, other))) {
			snprintf(why, whylen, "no container named '%s' in the task's metadata "
				 "($PDIG_ECS_CONTAINER)", other);
			rc = -ENOENT;
		}
		if (!rc) {
			int a = tr_json_get(obj, "DockerId", m->id, sizeof m->id);
			int b = tr_json_get(obj, "Name", m->name, sizeof m->name);
			int c = tr_json_get(obj, "Image", m->image, sizeof m->image);
			int d = tr_json_get(obj, "ImageID", m->image_id, sizeof m->image_id);
			if (a < 0 || b < 0 || c < 0 || d < 0) {
				snprintf(why, whylen, "the answer of %s is not the JSON expected", uri);
				memset(m, 0, sizeof *m);
				rc = -EINVAL;
			} else {
				short_id(m->id);
				m->source = "ECS task metadata";
			}
		}
		free(body);
	}
	env_copy("POD_NAME", m->pod_name, sizeof m->pod_name);
	env_copy("POD_NAMESPACE", m->pod_ns, sizeof m->pod_ns);
	env_copy("POD_UID", m->pod_uid, sizeof m->pod_uid);
	if (!m->id[0] && m->pod_uid[0]) {
		/* no runtime id to be had from inside a pod: its uid stands in */
		snprintf(m->id, sizeof m->id, "%s", m->pod_uid);
		m->source = "Kubernetes downward API";
	}
	env_copy("PDIG_CONTAINER_ID", m->id, sizeof m->id);
	env_copy("PDIG_CONTAINER_NAME", m->name, sizeof m->name);
	env_copy("PDIG_CONTAINER_IMAGE", m->image, sizeof m->image);
	return rc;
}
