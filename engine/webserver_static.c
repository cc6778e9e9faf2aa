/*
 * The webserver in a fully static build (PDIG_STATIC): libmicrohttpd's TLS
 * libraries have no static archives here, so this build has no webserver
 * and says so when webserver.enabled asks for it.
 */
#include <errno.h>
#include <stdio.h>

#include "eng_web.h"

int eng_web_new(struct eng_web **w, const struct eng_config *c, char *err, size_t errlen)
{
	(void)w;
	(void)c;
	snprintf(err, errlen, "webserver.enabled: this static build of pdig-engine has no "
			      "webserver (libmicrohttpd's libraries are not static); use the dynamic "
			      "build, or --stats-interval");
	return -ENOTSUP;
}

void eng_web_publish(struct eng_web *w, const char *metrics, size_t len)
{
	(void)w;
	(void)metrics;
	(void)len;
}

void eng_web_free(struct eng_web *w)
{
	(void)w;
}
