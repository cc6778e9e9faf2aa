// The regex operator's matcher over libre2 (see eng_regex.h). The only C++
// file of the engine: no exception or C++ type crosses the interface.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <re2/re2.h>

#include "eng_regex.h"

struct eng_regex {
	re2::RE2 *re;
};

int eng_regex_new(struct eng_regex **out, const char *pattern, size_t len, char *err,
		  size_t errlen, long *erroff)
{
	*out = nullptr;
	if (erroff)
		*erroff = -1;
	re2::RE2::Options opt;
	opt.set_log_errors(false); // a bad pattern is reported once, by the caller
	struct eng_regex *r = new (std::nothrow) eng_regex;
	if (!r)
		return -ENOMEM;
	r->re = new (std::nothrow) re2::RE2(re2::StringPiece(pattern, len), opt);
	if (!r->re) {
		delete r;
		return -ENOMEM;
	}
	if (!r->re->ok()) {
		if (r->re->error_code() == re2::RE2::ErrorPatternTooLarge) {
			if (err && errlen)
				snprintf(err, errlen, "pattern too large (compiles to more than RE2's "
						      "memory budget)");
		} else if (err && errlen) {
			snprintf(err, errlen, "%s", r->re->error().c_str());
		}
		// RE2 names the offending part of the pattern: its first place there
		// is where the error is
		const std::string &arg = r->re->error_arg();
		if (erroff && !arg.empty()) {
			const void *at = memmem(pattern, len, arg.data(), arg.size());
			if (at)
				*erroff = (long)((const char *)at - pattern);
		}
		delete r->re;
		delete r;
		return -EINVAL;
	}
	*out = r;
	return 0;
}

int eng_regex_match(const struct eng_regex *r, const char *s, size_t len)
{
	re2::StringPiece text(s, len);
	return r->re->Match(text, 0, len, re2::RE2::ANCHOR_BOTH, nullptr, 0) ? 1 : 0;
}

void eng_regex_free(struct eng_regex *r)
{
	if (!r)
		return;
	delete r->re;
	delete r;
}
