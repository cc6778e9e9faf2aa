/* The users and groups tables: from the capture or from /etc/passwd and
 * /etc/group under a root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_impl.h"

/* ---- users ---- */

const struct eng_user *eng_state_user(const struct eng_state *st, uint32_t uid)
{
	return eng_map_get(&st->users, uid);
}

const struct eng_group *eng_state_group(const struct eng_state *st, uint32_t gid)
{
	return eng_map_get(&st->groups, gid);
}

int eng_state_add_user(struct eng_state *st, const struct shm_scap_user *u)
{
	struct eng_user *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->uid = u->uid;
	e->gid = u->gid;
	e->name = strdup(u->name ? u->name : "");
	e->homedir = strdup(u->homedir ? u->homedir : "");
	e->shell = strdup(u->shell ? u->shell : "");
	struct eng_user *old = NULL;
	if (!e->name || !e->homedir || !e->shell)
		goto nomem;
	old = eng_map_del(&st->users, u->uid);
	if (eng_map_put(&st->users, u->uid, e))
		goto nomem;
	if (old) {
		free(old->name);
		free(old->homedir);
		free(old->shell);
		free(old);
	}
	return 0;
nomem:
	free(e->name);
	free(e->homedir);
	free(e->shell);
	free(e);
	return -ENOMEM;
}

int eng_state_add_group(struct eng_state *st, const struct shm_scap_group *g)
{
	struct eng_group *e = calloc(1, sizeof(*e));
	if (!e || !(e->name = strdup(g->name ? g->name : ""))) {
		free(e);
		return -ENOMEM;
	}
	e->gid = g->gid;
	struct eng_group *old = eng_map_del(&st->groups, g->gid);
	if (old) {
		free(old->name);
		free(old);
	}
	if (eng_map_put(&st->groups, g->gid, e)) {
		free(e->name);
		free(e);
		return -ENOMEM;
	}
	return 0;
}

/* Splits one "a:b:c" line in place into at most n fields. */
static int split_colons(char *line, char **f, int n)
{
	int k = 0;
	f[k++] = line;
	for (char *p = line; *p && k < n; p++) {
		if (*p == ':') {
			*p = 0;
			f[k++] = p + 1;
		}
	}
	return k;
}

int eng_state_load_users_from(struct eng_state *st, const char *root)
{
	char path[4096], line[1024];
	snprintf(path, sizeof(path), "%s/etc/passwd", strcmp(root, "/") ? root : "");
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *fl[7];
		line[strcspn(line, "\r\n")] = 0;
		if (split_colons(line, fl, 7) < 7)
			continue;
		struct shm_scap_user u = {.uid = (uint32_t)strtoul(fl[2], NULL, 10),
					  .gid = (uint32_t)strtoul(fl[3], NULL, 10),
					  .name = fl[0], .homedir = fl[5], .shell = fl[6]};
		if (!eng_state_user(st, u.uid) && eng_state_add_user(st, &u)) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/group", strcmp(root, "/") ? root : "");
	if (!(f = fopen(path, "re")))
		return 0; /* users without group names are still worth having */
	while (fgets(line, sizeof(line), f)) {
		char *fl[4];
		line[strcspn(line, "\r\n")] = 0;
		if (split_colons(line, fl, 4) < 3)
			continue;
		struct shm_scap_group g = {.gid = (uint32_t)strtoul(fl[2], NULL, 10), .name = fl[0]};
		if (!eng_state_group(st, g.gid) && eng_state_add_group(st, &g)) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	return 0;
}
