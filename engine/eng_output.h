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

/* eng_output_render_json() flags */
enum eng_output_json_flags {
	/* leave out the transformers' own keys ("toupper(proc.name)"), keep the
	 * fields inside them: libsinsp's set_resolve_transformed_fields(false) */
	ENG_OUTPUT_JSON_NO_TRANSFORMED = 1 << 0,
	/* every field, null when missing, as if the format began with '*':
	 * the form of a Falco alert's output_fields */
	ENG_OUTPUT_JSON_ALL_FIELDS = 1 << 1,
};

/* The JSON form of Falco's formatter: an object of field name -> value,
 * keys sorted, numbers and booleans typed, null for a missing field under
 * '*'; transformers add their own key and their fields' keys. "null" when
 * the format has no fields. Returns the length, or -1 when a missing field
 * ended it (without '*'): buf then holds the object of the fields before. */
int eng_output_render_json(struct eng_output *o, const struct eng_ctx *c, unsigned flags,
			   char *buf, size_t cap);
void eng_output_free(struct eng_output *o);

#endif
