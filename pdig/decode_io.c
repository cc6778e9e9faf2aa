/* Reads and writes: the fd and size in, the result and the first snaplen bytes out. */
#include "pdig.h"

#define A(i) (c->args[i])

void pd_dec_read_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, (uint32_t)A(2));
}

void pd_dec_read_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_data(c, A(1), c->ret);
}

void pd_dec_write_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, (uint32_t)A(2));
}

void pd_dec_write_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_data(c, A(1), c->ret);
}

void pd_dec_pread_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, (uint32_t)A(2));
	shm_enc_u64(c->e, A(3));
}

void pd_dec_pread_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_data(c, A(1), c->ret);
}

void pd_dec_pwrite_e(struct pd_call *c) { pd_dec_pread_e(c); }
void pd_dec_pwrite_x(struct pd_call *c) { pd_dec_pread_x(c); }
