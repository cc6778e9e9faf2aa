/*
 * Output lines in sysdig's -p format: text with %field tokens, an optional
 * width (%10proc.name pads or cuts to 10 characters), and a leading '*'
 * that prints <NA> for missing fields. Without '*', like sysdig, a line
 * with any missing field is not printed at all.
 */
#ifndef ENG_OUTPUT_H
#define ENG_OUTPUT_H

#include <stddef.h>

#include "eng_fields.h"

struct eng_output;

/* 0, or -EINVAL with the reason (and the column) in err. */
int eng_output_new(const char *fmt, struct eng_output **out, char *err, size_t errlen);
/* Renders one event into buf: the length (>= 0), or -1 when the line is
 * suppressed because a field is not available. */
int eng_output_render(struct eng_output *o, const struct eng_ctx *c, char *buf, size_t cap);
void eng_output_free(struct eng_output *o);

#endif
