/*
 * An open-addressing hash map from int64 keys (tids, fd numbers) to
 * pointers. Deletion shifts entries back, so there are no tombstones and
 * the table shrinks when it empties: memory follows the live entries.
 */
#ifndef ENG_MAP_H
#define ENG_MAP_H

#include <stddef.h>
#include <stdint.h>

struct eng_map_slot {
	int64_t key;
	void *val; /* NULL marks a free slot */
};

struct eng_map {
	struct eng_map_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

void *eng_map_get(const struct eng_map *m, int64_t key);
/* Inserts or replaces (val must not be NULL); 0 or -ENOMEM. */
int eng_map_put(struct eng_map *m, int64_t key, void *val);
/* Removes key and returns its value (NULL if absent). */
void *eng_map_del(struct eng_map *m, int64_t key);
void eng_map_clear(struct eng_map *m);

/* Iteration: for (size_t i = 0; i < m->cap; i++) if (m->slots[i].val) ... */

#endif
