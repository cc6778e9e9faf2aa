/* Credential changes: the ids asked for in, the result out. */
#include "pdig.h"

#define A(i) (c->args[i])

void pd_dec_setuid_e(struct pd_call *c) { shm_enc_u32(c->e, (uint32_t)A(0)); }
void pd_dec_setuid_x(struct pd_call *c) { pd_enc_res(c); }
void pd_dec_setgid_e(struct pd_call *c) { shm_enc_u32(c->e, (uint32_t)A(0)); }
void pd_dec_setgid_x(struct pd_call *c) { pd_enc_res(c); }

void pd_dec_setresuid_e(struct pd_call *c)
{
	for (int i = 0; i < 3; i++)
		shm_enc_u32(c->e, (uint32_t)A(i));
}

void pd_dec_setresuid_x(struct pd_call *c) { pd_enc_res(c); }
void pd_dec_setresgid_e(struct pd_call *c) { pd_dec_setresuid_e(c); }
void pd_dec_setresgid_x(struct pd_call *c) { pd_enc_res(c); }

/* getuid, geteuid, getgid, getegid: the id is the result */
void pd_dec_getid_x(struct pd_call *c) { shm_enc_u32(c->e, (uint32_t)c->ret); }
