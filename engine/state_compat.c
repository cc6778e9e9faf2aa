/*
 * Older versions of the process events, for captures of older drivers:
 * clone/fork/vfork of 2014-2016 and execve of 2014-2017 are read by the
 * parsers of the current versions (state_proc.c). Each older exit is seen,
 * for the parser's call only, as the current one: every parameter the
 * current layout has is taken, by name, from the older event, and a
 * parameter the older event lacks is absent (the parsers' defaults). The
 * event itself is left as it was, so its fields still show its own
 * parameters.
 */
#include <string.h>

#include "state_impl.h"

/* The current exit an older one is read as, or 0. */
static uint16_t current_of(uint16_t type)
{
	switch (type) {
	case SHM_EV_SYSCALL_CLONE_11_X:
	case SHM_EV_SYSCALL_CLONE_16_X:
	case SHM_EV_SYSCALL_CLONE_17_X:
	case SHM_EV_SYSCALL_FORK_X:
	case SHM_EV_SYSCALL_FORK_17_X:
	case SHM_EV_SYSCALL_VFORK_X:
	case SHM_EV_SYSCALL_VFORK_17_X:
		return SHM_EV_SYSCALL_CLONE_20_X;
	case SHM_EV_SYSCALL_EXECVE_8_X:
	case SHM_EV_SYSCALL_EXECVE_13_X:
	case SHM_EV_SYSCALL_EXECVE_14_X:
	case SHM_EV_SYSCALL_EXECVE_15_X:
	case SHM_EV_SYSCALL_EXECVE_16_X:
	case SHM_EV_SYSCALL_EXECVE_17_X:
	case SHM_EV_SYSCALL_EXECVE_18_X:
		return SHM_EV_SYSCALL_EXECVE_19_X;
	default:
		return 0;
	}
}

/* old as an event of type cur: the parameters matched by name. */
static void as_current(struct shm_evt *out, const struct shm_evt *old, uint16_t cur)
{
	static const uint8_t empty[1];
	*out = *old;
	out->type = cur;
	out->info = &shm_event_table[cur];
	out->nparams = out->info->nparams;
	for (unsigned i = 0; i < out->nparams; i++) {
		int j = shm_evt_param_index(old->type, out->info->params[i].name);
		if (j >= 0 && (unsigned)j < old->nparams) {
			out->val[i] = old->val[j];
			out->vlen[i] = old->vlen[j];
		} else {
			out->val[i] = empty;
			out->vlen[i] = 0;
		}
	}
	/* before "comm" was added, libsinsp took the thread's name from exe */
	unsigned comm = cur == SHM_EV_SYSCALL_CLONE_20_X ? SHM_P_CLONE_20_X_COMM
							  : SHM_P_EXECVE_19_X_COMM;
	unsigned exe = cur == SHM_EV_SYSCALL_CLONE_20_X ? SHM_P_CLONE_20_X_EXE
							 : SHM_P_EXECVE_19_X_EXE;
	if (shm_evt_param_index(old->type, "comm") < 0) {
		out->val[comm] = out->val[exe];
		out->vlen[comm] = out->vlen[exe];
	}
}

/* An older clone/fork/vfork exit: its child may come first, as with the
 * current ones (no thread is made up for it). */
int eng_st_compat_is_clone_exit(uint16_t type)
{
	return current_of(type) == SHM_EV_SYSCALL_CLONE_20_X;
}

void eng_st_parse_compat(struct eng_state *st, struct eng_event *ev)
{
	uint16_t cur = current_of(ev->evt.type);
	if (!cur)
		return;
	struct shm_evt old = ev->evt;
	as_current(&ev->evt, &old, cur);
	if (cur == SHM_EV_SYSCALL_CLONE_20_X)
		eng_st_parse_clone_exit(st, ev);
	else
		eng_st_parse_execve_exit(st, ev, 0);
	ev->evt = old;
}
