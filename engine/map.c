/* int64 -> pointer hash map with linear probing (see eng_map.h). */
#include <errno.h>
#include <stdlib.h>

#include "eng_map.h"

static size_t slot_of(int64_t key, size_t cap)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

void *eng_map_get(const struct eng_map *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].val)
			return NULL;
		if (m->slots[i].key == key)
			return m->slots[i].val;
	}
}

static int resize(struct eng_map *m, size_t cap)
{
	struct eng_map_slot *s = calloc(cap, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].val)
			continue;
		size_t j = slot_of(m->slots[i].key, cap);
		while (s[j].val)
			j = (j + 1) & (cap - 1);
		s[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

int eng_map_put(struct eng_map *m, int64_t key, void *val)
{
	if ((m->len + 1) * 4 > m->cap * 3) {
		int rc = resize(m, m->cap ? m->cap * 2 : 16);
		if (rc)
			return rc;
	}
	size_t i = slot_of(key, m->cap);
	while (m->slots[i].val && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->slots[i].val)
		m->len++;
	m->slots[i].key = key;
	m->slots[i].val = val;
	return 0;
}

void *eng_map_del(struct eng_map *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	size_t i = slot_of(key, m->cap);
	while (m->slots[i].val && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	void *val = m->slots[i].val;
	if (!val)
		return NULL;
	/* backward-shift deletion keeps every probe chain unbroken */
	size_t j = i;
	for (;;) {
		m->slots[i].val = NULL;
		for (;;) {
			j = (j + 1) & (m->cap - 1);
			if (!m->slots[j].val)
				goto done;
			size_t k = slot_of(m->slots[j].key, m->cap);
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		m->slots[i] = m->slots[j];
		i = j;
	}
done:
	m->len--;
	if (m->cap > 16 && m->len * 8 < m->cap)
		resize(m, m->cap / 2); /* on failure the map just stays larger */
	return val;
}

void eng_map_clear(struct eng_map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
