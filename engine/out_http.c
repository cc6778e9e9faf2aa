/*
 * The http channel: each alert POSTed as Falco's JSON alert (what
 * falcosidekick accepts) through libcurl, on the queue's thread: a
 * receiver that is down, slow or answers an error gets retries with a
 * growing pause, then the alert is counted lost; the engine goes on.
 *
 * libcurl is loaded when an http output is made, not at every start: with
 * its TLS and resolver libraries it would add thirty shared objects and
 * milliseconds to every run of the engine (ENG_CURL_SONAME, found by the
 * build from the libcurl it compiled against).
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "eng_out.h"
#include "out_queue.h"

/* the libcurl functions used, resolved once */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} curl;

static int load_curl(char *err, size_t errlen)
{
	static void *lib;
	if (lib)
		return 0;
	void *h = dlopen(ENG_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "http_output: cannot load %s: %s", ENG_CURL_SONAME, dlerror());
		return -ENOENT;
	}
	/* POSIX: a data pointer from dlsym() converts to a function pointer */
#define SYM(f, name) (*(void **)&curl.f = dlsym(h, name))
	if (!SYM(global_init, "curl_global_init") || !SYM(easy_init, "curl_easy_init") ||
	    !SYM(easy_setopt, "curl_easy_setopt") || !SYM(easy_perform, "curl_easy_perform") ||
	    !SYM(easy_getinfo, "curl_easy_getinfo") || !SYM(easy_cleanup, "curl_easy_cleanup") ||
	    !SYM(slist_append, "curl_slist_append") ||
	    !SYM(slist_free_all, "curl_slist_free_all")) {
#undef SYM
		snprintf(err, errlen, "http_output: %s lacks a function: %s", ENG_CURL_SONAME,
			 dlerror());
		dlclose(h);
		return -ENOENT;
	}
	lib = h; /* kept for the life of the process */
	return 0;
}

#define HTTP_TIMEOUT_MS 5000
#define HTTP_CONNECT_TIMEOUT_MS 2000

struct out_http {
	struct eng_out base;
	CURL *curl;
	struct curl_slist *headers;
	int echo, compress;
	struct eng_outq *q;
	unsigned char *gz;  /* compress_uploads: the gzipped body (delivery thread only) */
	size_t gzcap;
	char curl_err[CURL_ERROR_SIZE];
	char said[CURL_ERROR_SIZE]; /* the last failure reported, said once per change */
};

/* msg gzipped into s->gz; 0 or a negative errno. */
static int gzip_body(struct out_http *s, const char *msg, size_t len, size_t *out)
{
	z_stream z = {0};
	/* 15 + 16: a gzip header and trailer, which Content-Encoding: gzip means */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	size_t need = deflateBound(&z, (uLong)len);
	if (need > s->gzcap) {
		unsigned char *p = realloc(s->gz, need);
		if (!p) {
			deflateEnd(&z);
			return -ENOMEM;
		}
		s->gz = p;
		s->gzcap = need;
	}
	z.next_in = (unsigned char *)msg;
	z.avail_in = (uInt)len;
	z.next_out = s->gz;
	z.avail_out = (uInt)s->gzcap;
	int rc = deflate(&z, Z_FINISH);
	*out = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -EIO;
}

/* A failed delivery says why on stderr, once until the reason changes:
 * a wrong certificate or a receiver that refuses every alert shows at
 * once, a receiver down for an hour does not fill the log. */
static void say_failure(struct out_http *s, const char *why)
{
	if (!strcmp(why, s->said))
		return;
	snprintf(s->said, sizeof(s->said), "%s", why);
	fprintf(stderr, "pdig-engine: http_output: %s\n", why);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct out_http *s = ctx;
	if (s->echo) /* http_output.echo: the receiver's answer on stdout, as Falco does */
		fwrite(p, size, n, stdout);
	return size * n;
}

static int deliver(void *ctx, const char *msg, size_t len)
{
	struct out_http *s = ctx;
	if (s->compress) {
		size_t zlen;
		if (gzip_body(s, msg, len, &zlen)) {
			say_failure(s, "compress_uploads: the payload could not be compressed");
			return -ENOMEM;
		}
		msg = (const char *)s->gz;
		len = zlen;
	}
	curl.easy_setopt(s->curl, CURLOPT_POSTFIELDS, msg);
	curl.easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, (long)len);
	s->curl_err[0] = 0;
	CURLcode rc = curl.easy_perform(s->curl);
	long status = 0;
	curl.easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	if (s->echo)
		fflush(stdout);
	if (rc != CURLE_OK) {
		char why[CURL_ERROR_SIZE];
		snprintf(why, sizeof(why), "%s", s->curl_err[0] ? s->curl_err : "delivery failed");
		say_failure(s, why);
		return -EIO;
	}
	if (status >= 200 && status < 300) {
		s->said[0] = 0;
		return 0;
	}
	char why[64];
	snprintf(why, sizeof(why), "the receiver answered %ld", status);
	say_failure(s, why);
	return -EPROTO;
}

static int ho_emit(struct eng_out *o, const struct eng_alert *a)
{
	struct out_http *s = (struct out_http *)o;
	const char *body = a->json ? a->json : a->text;
	return eng_outq_push(s->q, body, strlen(body));
}

static void ho_flush(struct eng_out *o)
{
	eng_outq_flush(((struct out_http *)o)->q, 2000);
}

static void ho_close(struct eng_out *o)
{
	eng_outq_stop(((struct out_http *)o)->q);
}

static void ho_stats(const struct eng_out *o, struct eng_out_stats *st)
{
	eng_outq_stats(((const struct out_http *)o)->q, st);
}

static void ho_free(struct eng_out *o)
{
	struct out_http *s = (struct out_http *)o;
	eng_outq_free(s->q);
	free(s->gz);
	curl.slist_free_all(s->headers);
	if (s->curl)
		curl.easy_cleanup(s->curl);
	free(s);
}

static const struct eng_out_ops http_ops = {
	.emit = ho_emit, .flush = ho_flush, .close = ho_close, .stats = ho_stats, .free = ho_free,
};

/* A file or folder setting that libcurl would only find wrong at the first
 * delivery, checked before the engine starts. */
static int check_path(const char *key, const char *path, int dir, char *err, size_t errlen)
{
	struct stat sb;
	if (!path || !*path)
		return 0;
	if (stat(path, &sb) || access(path, R_OK)) {
		int e = errno;
		snprintf(err, errlen, "http_output.%s: cannot read %s: %s", key, path, strerror(e));
		return -e;
	}
	if (dir != !!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "http_output.%s: %s is %s", key, path,
			 dir ? "not a folder" : "a folder, not a file");
		return -EINVAL;
	}
	return 0;
}

int eng_out_http_new(struct eng_out **out, const struct eng_config *c, char *err, size_t errlen)
{
	if (!c->http_url || !*c->http_url) {
		snprintf(err, errlen, "http_output.enabled: http_output.url is not set");
		return -EINVAL;
	}
	int rc;
	if ((rc = check_path("ca_cert", c->http_ca_cert, 0, err, errlen)) ||
	    (rc = check_path("ca_path", c->http_ca_path, 1, err, errlen)) ||
	    (rc = check_path("client_cert", c->http_client_cert, 0, err, errlen)) ||
	    (rc = check_path("client_key", c->http_client_key, 0, err, errlen)))
		return rc;
	/* TLS writes to a receiver that went away may raise SIGPIPE (libcurl
	 * with CURLOPT_NOSIGNAL leaves it to the program) */
	signal(SIGPIPE, SIG_IGN);
	rc = load_curl(err, errlen);
	if (rc)
		return rc;
	/* once, on the main thread, before any delivery thread exists */
	if (curl.global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(err, errlen, "http_output: libcurl could not start");
		return -EIO;
	}
	struct out_http *s = calloc(1, sizeof(*s));
	if (!s || !(s->curl = curl.easy_init()))
		goto nomem;
	s->base = (struct eng_out){&http_ops, "http"};
	s->echo = c->http_echo;
	s->compress = c->http_compress;
	if (!(s->headers = curl.slist_append(NULL, "Content-Type: application/json")))
		goto nomem;
	if (s->compress) {
		struct curl_slist *more = curl.slist_append(s->headers, "Content-Encoding: gzip");
		if (!more)
			goto nomem;
		s->headers = more;
	}
	CURL *h = s->curl;
	curl.easy_setopt(h, CURLOPT_URL, c->http_url);
	curl.easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
	curl.easy_setopt(h, CURLOPT_USERAGENT, c->http_user_agent);
	curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
	curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)HTTP_CONNECT_TIMEOUT_MS);
	curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* a thread: no SIGALRM for timeouts */
	curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl.easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl.easy_setopt(h, CURLOPT_ERRORBUFFER, s->curl_err);
	curl.easy_setopt(h, CURLOPT_FORBID_REUSE, c->http_keep_alive ? 0L : 1L);
	if (c->http_compress) /* compressed answers too */
		curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (c->http_insecure) {
		curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->http_ca_cert && *c->http_ca_cert)
		curl.easy_setopt(h, CURLOPT_CAINFO, c->http_ca_cert);
	if (c->http_ca_path && *c->http_ca_path)
		curl.easy_setopt(h, CURLOPT_CAPATH, c->http_ca_path);
	if (c->http_client_cert && *c->http_client_cert)
		curl.easy_setopt(h, CURLOPT_SSLCERT, c->http_client_cert);
	if (c->http_client_key && *c->http_client_key)
		curl.easy_setopt(h, CURLOPT_SSLKEY, c->http_client_key);
	if (eng_outq_new(&s->q, ENG_OUTQ_CAP(c), ENG_OUTQ_RETRIES, deliver, s))
		goto nomem;
	*out = &s->base;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	if (s) {
		curl.slist_free_all(s->headers);
		if (s->curl)
			curl.easy_cleanup(s->curl);
	}
	free(s);
	return -ENOMEM;
}
