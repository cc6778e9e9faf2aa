/*
 * /healthz, /metrics and /versions over libmicrohttpd (eng_web.h). The
 * library is loaded when the webserver starts, not at every start of the
 * engine (its TLS libraries cost milliseconds to every run): ENG_MHD_SONAME
 * is the one the build compiled against.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eng_rules.h"
#include "eng_web.h"

#ifndef PDIG_VERSION
#define PDIG_VERSION "unknown"
#endif

/* the run publishes every second; this long without it is a stalled engine */
#define HEALTHY_FOR_S 10

/* the libmicrohttpd functions used, resolved once */
static struct {
	struct MHD_Response *(*create_response_from_buffer)(size_t, void *,
							    enum MHD_ResponseMemoryMode);
	enum MHD_Result (*add_response_header)(struct MHD_Response *, const char *, const char *);
	enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int,
					  struct MHD_Response *);
	void (*destroy_response)(struct MHD_Response *);
	struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
					   MHD_AccessHandlerCallback, void *, ...);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *,
						       enum MHD_DaemonInfoType, ...);
	void (*stop_daemon)(struct MHD_Daemon *);
} mhd;

static int load_mhd(char *err, size_t errlen)
{
	static void *lib;
	if (lib)
		return 0;
	void *h = dlopen(ENG_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "webserver: cannot load %s: %s", ENG_MHD_SONAME, dlerror());
		return -ENOENT;
	}
	/* POSIX: a data pointer from dlsym() converts to a function pointer */
#define SYM(f, name) (*(void **)&mhd.f = dlsym(h, name))
	if (!SYM(create_response_from_buffer, "MHD_create_response_from_buffer") ||
	    !SYM(add_response_header, "MHD_add_response_header") ||
	    !SYM(queue_response, "MHD_queue_response") ||
	    !SYM(destroy_response, "MHD_destroy_response") ||
	    !SYM(start_daemon, "MHD_start_daemon") ||
	    !SYM(get_daemon_info, "MHD_get_daemon_info") || !SYM(stop_daemon, "MHD_stop_daemon")) {
#undef SYM
		snprintf(err, errlen, "webserver: %s lacks a function: %s", ENG_MHD_SONAME,
			 dlerror());
		dlclose(h);
		return -ENOENT;
	}
	lib = h; /* kept for the life of the process */
	return 0;
}

struct eng_web {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	char *metrics;
	size_t len;
	struct timespec beat;
	char *healthz;
	int prometheus;
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
			      const char *body, size_t len)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, "Content-Type", type);
	enum MHD_Result rc = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *data_len, void **state)
{
	struct eng_web *w = cls;
	(void)version;
	(void)data;
	(void)data_len;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return answer(c, 405, "text/plain", "GET only\n", 9);
	if (!strcmp(url, w->healthz)) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&w->mu);
		int ok = now.tv_sec - w->beat.tv_sec < HEALTHY_FOR_S;
		pthread_mutex_unlock(&w->mu);
		const char *b = ok ? "{\"status\": \"ok\"}" : "{\"status\": \"stalled\"}";
		return answer(c, ok ? 200 : 503, "application/json", b, strlen(b));
	}
	if (!strcmp(url, "/metrics") && w->prometheus) {
		pthread_mutex_lock(&w->mu);
		enum MHD_Result rc = answer(c, 200, "text/plain; version=0.0.4", w->metrics ? w->metrics : "",
					    w->len);
		pthread_mutex_unlock(&w->mu);
		return rc;
	}
	if (!strcmp(url, "/versions")) {
		const char *b = "{\"engine_version\": \"" ENG_RULES_ENGINE_VERSION "\", "
				"\"pdig_engine_version\": \"" PDIG_VERSION "\"}";
		return answer(c, 200, "application/json", b, strlen(b));
	}
	return answer(c, 404, "text/plain", "not found\n", 10);
}

int eng_web_new(struct eng_web **out, const struct eng_config *cf, char *err, size_t errlen)
{
	int rc = load_mhd(err, errlen);
	if (rc)
		return rc;
	struct eng_web *w = calloc(1, sizeof(*w));
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
	struct sockaddr_in a4 = {.sin_family = AF_INET};
	struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	if (!w || !(w->healthz = strdup(cf->webserver_healthz))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (cf->webserver_port > 65535) {
		snprintf(err, errlen, "webserver.listen_port: %d is not a port", cf->webserver_port);
		goto inval;
	}
	if (inet_pton(AF_INET, cf->webserver_address, &a4.sin_addr) == 1) {
		a4.sin_port = htons((uint16_t)cf->webserver_port);
		sa = (struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, cf->webserver_address, &a6.sin6_addr) == 1) {
		a6.sin6_port = htons((uint16_t)cf->webserver_port);
		sa = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "webserver.listen_address: '%s' is not an IP address",
			 cf->webserver_address);
		goto inval;
	}
	w->prometheus = cf->webserver_prometheus;
	clock_gettime(CLOCK_MONOTONIC, &w->beat);
	pthread_mutex_init(&w->mu, NULL);
	w->d = mhd.start_daemon(flags, 0, NULL, NULL, handle, w, MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_END);
	if (!w->d) {
		snprintf(err, errlen, "webserver: cannot listen on %s:%d (in use?)",
			 cf->webserver_address, cf->webserver_port);
		pthread_mutex_destroy(&w->mu);
		goto inval;
	}
	const union MHD_DaemonInfo *di = mhd.get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "pdig-engine: webserver on %s port %u (%s, /metrics, /versions)\n",
		cf->webserver_address, di ? (unsigned)di->port : (unsigned)cf->webserver_port,
		w->healthz);
	*out = w;
	return 0;
inval:
	free(w->healthz);
	free(w);
	return -EINVAL;
}

void eng_web_publish(struct eng_web *w, const char *metrics, size_t len)
{
	char *copy = malloc(len + 1);
	pthread_mutex_lock(&w->mu);
	clock_gettime(CLOCK_MONOTONIC, &w->beat);
	if (copy) {
		memcpy(copy, metrics, len);
		copy[len] = 0;
		free(w->metrics);
		w->metrics = copy;
		w->len = len;
	}
	pthread_mutex_unlock(&w->mu);
}

void eng_web_free(struct eng_web *w)
{
	if (!w)
		return;
	mhd.stop_daemon(w->d);
	pthread_mutex_destroy(&w->mu);
	free(w->metrics);
	free(w->healthz);
	free(w);
}
