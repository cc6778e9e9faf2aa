/*
 * The engine's small HTTP server (libmicrohttpd, on its own thread):
 * /healthz answers {"status": "ok"} while the run loop keeps publishing
 * (503 when it has not for a while), /metrics the last Prometheus text
 * the run published, /versions the versions. The server never touches
 * the engine's data: the run hands it finished text (eng_web_publish()).
 */
#ifndef ENG_WEB_H
#define ENG_WEB_H

#include <stddef.h>

#include "eng_config.h"

struct eng_web;

/* Starts listening on webserver.listen_address:listen_port (port 0: one the
 * system picks, said on stderr). 0 or a negative errno with err set. */
int eng_web_new(struct eng_web **w, const struct eng_config *c, char *err, size_t errlen);
/* The current metrics text; also the heartbeat /healthz looks at. */
void eng_web_publish(struct eng_web *w, const char *metrics, size_t len);
void eng_web_free(struct eng_web *w);

#endif
