/* user.* and group.* fields: the thread's uid, gid and login uid, and what
 * the state's user and group tables say of them. */
#include "fields_impl.h"

int fields_extract_user(const struct eng_ctx *c, const struct eng_thread *t, int id,
			struct eng_value *v)
{
	switch (id) {
	case F_USER_UID: return t->uid == UINT32_MAX ? NA : num(v, t->uid);
	case F_USER_NAME:
	case F_USER_HOMEDIR:
	case F_USER_SHELL: {
		const struct eng_user *u = eng_state_user(c->st, t->uid);
		if (!u)
			return NA;
		return str(v, id == F_USER_NAME ? u->name : id == F_USER_HOMEDIR ? u->homedir
										 : u->shell);
	}
	case F_USER_LOGINUID: return num(v, t->loginuid);
	case F_USER_LOGINNAME: {
		const struct eng_user *u = eng_state_user(c->st, (uint32_t)t->loginuid);
		return u ? str(v, u->name) : NA;
	}
	case F_GROUP_GID: return t->gid == UINT32_MAX ? NA : num(v, t->gid);
	case F_GROUP_NAME: {
		const struct eng_group *g = eng_state_group(c->st, t->gid);
		return g ? str(v, g->name) : NA;
	}
	}
	return NA;
}
