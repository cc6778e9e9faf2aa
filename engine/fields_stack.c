/*
 * thread.ustack: the user-space stack pdig --stack puts in the trailer of
 * the enter event of a selected call (shm_enc_trailer_str). An exit event
 * shows its enter's: the stack is taken once per call, before it runs
 * (after a successful execve the old stack is gone).
 */
#include "fields_impl.h"
#include "eng_state.h"

int fields_extract_stack(const struct eng_ctx *c, struct eng_value *v)
{
	const struct eng_event *ev = c->ev;
	const struct shm_evt *e = &ev->evt;
	if (!e->ustack && ev->enter)
		e = ev->enter;
	if (!e->ustack || !e->ustack_len)
		return NA;
	return str(v, e->ustack);
}
