/* The generated event table against libscap's own table, field by field:
 * no event number, name, category, flag, parameter name, type, format,
 * flag set or dynamic variant may drift from the real driver ABI; and each
 * generated flag constant has the name and value of the driver's. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "driver/ppm_events_public.h"
#include "shm_event.h"

const struct ppm_event_info *scap_get_event_info_table(void);

static int failures;

#define CHECK(cond, ...)                                  \
	do {                                              \
		if (!(cond)) {                            \
			printf("MISMATCH: " __VA_ARGS__); \
			printf("\n");                     \
			failures++;                       \
		}                                         \
	} while (0)

static void check_flagset(const char *where, const struct shm_name_value *ours,
			  const struct ppm_name_value *theirs)
{
	CHECK((ours == NULL) == (theirs == NULL), "%s: flag set presence", where);
	if (!ours || !theirs)
		return;
	size_t i = 0;
	for (; ours[i].name && theirs[i].name; i++) {
		CHECK(strcmp(ours[i].name, theirs[i].name) == 0 && ours[i].value == theirs[i].value,
		      "%s: flag %zu is %s=%#x, libscap has %s=%#x", where, i, ours[i].name,
		      ours[i].value, theirs[i].name, theirs[i].value);
	}
	CHECK(!ours[i].name && !theirs[i].name, "%s: flag sets differ in length", where);
}

static void check_param(const char *where, const struct shm_param_info *o,
			const struct ppm_param_info *t)
{
	CHECK(strcmp(o->name, t->name) == 0, "%s: name %s vs %s", where, o->name, t->name);
	CHECK(o->type == t->type, "%s: type %u vs %u", where, o->type, t->type);
	CHECK(o->fmt == t->fmt, "%s: format %u vs %u", where, o->fmt, t->fmt);
	CHECK(o->ninfo == t->ninfo, "%s: ninfo %u vs %u", where, o->ninfo, t->ninfo);
	if (t->type == PT_FSRELPATH) {
		CHECK(o->dirfd == (uintptr_t)t->info, "%s: dirfd index %u vs %lu", where, o->dirfd,
		      (unsigned long)(uintptr_t)t->info);
	} else if (t->type == PT_DYN) {
		CHECK((o->info == NULL) == (t->info == NULL), "%s: dynamic set presence", where);
		if (o->info && t->info)
			for (unsigned k = 0; k < t->ninfo && k < o->ninfo; k++) {
				char w[256];
				snprintf(w, sizeof w, "%s variant %u", where, k);
				check_param(w, &((const struct shm_param_info *)o->info)[k],
					    &((const struct ppm_param_info *)t->info)[k]);
			}
	} else {
		check_flagset(where, o->info, t->info);
	}
}

/* SHM_PPM_X == PPM_X: a name the driver lacks does not compile. */
static unsigned check_constants(void)
{
	unsigned n = 0;
#define CHECK_CONSTANT(name)                                                             \
	CHECK((uint32_t)(SHM_##name) == (uint32_t)(name), "SHM_" #name " is %#x, %s %#x", \
	      (uint32_t)(SHM_##name), #name, (uint32_t)(name));                           \
	n++;
	SHM_PPM_FLAG_NAMES(CHECK_CONSTANT)
#undef CHECK_CONSTANT
	CHECK(SHM_PPM_AT_FDCWD == PPM_AT_FDCWD, "SHM_PPM_AT_FDCWD");
	return n + 1;
}

int main(void)
{
	const struct ppm_event_info *t = scap_get_event_info_table();
	unsigned nparams = 0;

	CHECK((int)SHM_EVENT_MAX == (int)PPM_EVENT_MAX, "SHM_EVENT_MAX %d vs PPM_EVENT_MAX %d",
	      SHM_EVENT_MAX, PPM_EVENT_MAX);
	for (int i = 0; i < SHM_EVENT_MAX && i < PPM_EVENT_MAX; i++) {
		const struct shm_event_info *o = &shm_event_table[i];
		CHECK(strcmp(o->name, t[i].name) == 0, "event %d: name %s vs %s", i, o->name,
		      t[i].name);
		CHECK(o->category == (unsigned)t[i].category, "event %d (%s): category %u vs %u", i,
		      o->name, o->category, t[i].category);
		CHECK(o->flags == (unsigned)t[i].flags, "event %d (%s): flags %#x vs %#x", i,
		      o->name, o->flags, t[i].flags);
		CHECK(o->nparams == t[i].nparams, "event %d (%s): %u params vs %u", i, o->name,
		      o->nparams, t[i].nparams);
		for (unsigned j = 0; j < o->nparams && j < t[i].nparams; j++) {
			char where[128];
			snprintf(where, sizeof where, "event %d (%s) param %u", i, o->name, j);
			check_param(where, &o->params[j], &t[i].params[j]);
			nparams++;
		}
	}
	unsigned nconst = check_constants();
	printf("%d events, %u parameters, %u constants compared with libscap: %d mismatches\n",
	       SHM_EVENT_MAX, nparams, nconst, failures);
	return failures ? 1 : 0;
}
