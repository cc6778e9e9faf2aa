/* shm_json: the reader and the string writer every JSON of the project goes through. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "shm_json.h"

static int str(const char *text, char *out, size_t cap)
{
	struct shm_json j;
	shm_json_init(&j, text, strlen(text));
	return shm_json_string(&j, out, cap);
}

START_TEST(strings_decode)
{
	char out[64];
	ck_assert_int_eq(str("\"a\\\"b\\\\c\\/d\\n\"", out, sizeof out), 0);
	ck_assert_str_eq(out, "a\"b\\c/d\n");
	ck_assert_int_eq(str("\"\\u00e9\\u20ac\"", out, sizeof out), 0);
	ck_assert_str_eq(out, "\xc3\xa9\xe2\x82\xac");
	/* a surrogate pair is one code point (U+1F600) */
	ck_assert_int_eq(str("\"\\ud83d\\ude00\"", out, sizeof out), 0);
	ck_assert_str_eq(out, "\xf0\x9f\x98\x80");
	/* cut to the buffer, still terminated */
	ck_assert_int_eq(str("\"abcdef\"", out, 4), 0);
	ck_assert_str_eq(out, "abc");
	/* malformed: unterminated, a bad escape, bad hex */
	ck_assert_int_eq(str("\"abc", out, sizeof out), -1);
	ck_assert_int_eq(str("\"\\q\"", out, sizeof out), -1);
	ck_assert_int_eq(str("\"\\u12g4\"", out, sizeof out), -1);
}
END_TEST

START_TEST(get_string_and_skip)
{
	const char *doc = "{\"a\": [1, {\"x\": \"y\"}, true], \"n\": 12, \"Name\": \"web\", \"o\": null}";
	char out[32];
	ck_assert_int_eq(shm_json_get_string(doc, strlen(doc), "Name", out, sizeof out), 1);
	ck_assert_str_eq(out, "web");
	ck_assert_int_eq(shm_json_get_string(doc, strlen(doc), "n", out, sizeof out), 0);
	ck_assert_int_eq(shm_json_get_string(doc, strlen(doc), "missing", out, sizeof out), 0);
	ck_assert_int_eq(shm_json_get_string("{\"a\": }", 7, "a", out, sizeof out), -1);
	ck_assert_int_eq(shm_json_get_string("{}", 2, "a", out, sizeof out), 0);
	/* the length bounds the text: no read past it */
	ck_assert_int_eq(shm_json_get_string("{\"a\": \"b\"} trailing", 10, "a", out, sizeof out), 1);
	ck_assert_int_eq(shm_json_get_string("{\"a\": \"b\"", 9, "a", out, sizeof out), -1);
}
END_TEST

START_TEST(depth_bounded)
{
	size_t n = 10000;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = 0;
	struct shm_json j;
	shm_json_init(&j, deep, 2 * n);
	ck_assert_int_eq(shm_json_skip(&j), -1);
	shm_json_init(&j, deep + n - 10, 20);
	ck_assert_int_eq(shm_json_skip(&j), 0);
	free(deep);
}
END_TEST

static int stop_at_b(struct shm_json *j, const char *key, void *ctx)
{
	(void)ctx;
	return strcmp(key, "b") ? shm_json_skip(j) : 7;
}

START_TEST(object_walk_stops)
{
	/* a member's non-zero answer ends the walk: the rest is not read */
	const char *doc = "{\"a\": 1, \"b\": 2, garbage";
	struct shm_json j;
	shm_json_init(&j, doc, strlen(doc));
	ck_assert_int_eq(shm_json_object(&j, stop_at_b, NULL), 7);
}
END_TEST

START_TEST(put_string_escapes)
{
	char out[64];
	size_t n = shm_json_put_string(out, sizeof out, 0, "a\"b\\c\n\x01", 7);
	ck_assert_str_eq(out, "\"a\\\"b\\\\c\\n\\u0001\"");
	ck_assert_uint_eq(n, strlen(out));
	/* UTF-8 kept, a lone byte and an overlong form replaced by U+FFFD */
	shm_json_put_string(out, sizeof out, 0, "\xc3\xa9\xff\xc0\xaf", 5);
	ck_assert_str_eq(out, "\"\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	/* appended at pos, cut to cap and terminated */
	strcpy(out, "x=");
	n = shm_json_put_string(out, 8, 2, "abcdefgh", 8);
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(out, "x=\"abcd");
	/* what the writer writes, the reader reads back */
	const char *s = "tab\there \"q\" \xe2\x82\xac";
	char back[64];
	shm_json_put_string(out, sizeof out, 0, s, strlen(s));
	ck_assert_int_eq(str(out, back, sizeof back), 0);
	ck_assert_str_eq(back, s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shm_json");
	TCase *tc = tcase_create("json");
	tcase_add_test(tc, strings_decode);
	tcase_add_test(tc, get_string_and_skip);
	tcase_add_test(tc, depth_bounded);
	tcase_add_test(tc, object_walk_stops);
	tcase_add_test(tc, put_string_escapes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
