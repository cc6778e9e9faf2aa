/*
 * The http channel in a fully static build (PDIG_STATIC): libcurl needs
 * glibc's shared resolver at run time, which a static program cannot
 * carry, so this build has no http output and says so at start. A
 * program output running curl is the way round (engine/README.md).
 */
#include <errno.h>
#include <stdio.h>

#include "eng_out.h"

int eng_out_http_new(struct eng_out **out, const struct eng_config *c, char *err, size_t errlen)
{
	(void)out;
	(void)c;
	snprintf(err, errlen, "http_output.enabled: this static build of pdig-engine has no http "
			      "output (libcurl needs the shared C library); use the dynamic build, or "
			      "program_output with curl");
	return -ENOTSUP;
}
