/* Memory, signals, sleeps and seccomp: mostly the calls only -a traces
 * (kill and seccomp are traced by default for the calls the rules need). */
#define _GNU_SOURCE
#include <signal.h>
#include <time.h>

#include "pdig.h"
#include "procfs.h"

#define A(i) (c->args[i])

/* vm_size, vm_rss, vm_swap after the call */
static void vm_params(struct pd_call *c)
{
	uint32_t size = 0, rss = 0, swap = 0;
	if (c->tr->proc_ok)
		pd_proc_vm(c->t->tid, &size, &rss, &swap);
	shm_enc_u32(c->e, size);
	shm_enc_u32(c->e, rss);
	shm_enc_u32(c->e, swap);
}

void pd_dec_brk_e(struct pd_call *c) { shm_enc_u64(c->e, A(0)); }

void pd_dec_brk_x(struct pd_call *c)
{
	shm_enc_u64(c->e, (uint64_t)c->ret);
	vm_params(c);
}

/* mmap(addr, length, prot, flags, fd, offset) */
void pd_dec_mmap_e(struct pd_call *c)
{
	shm_enc_u64(c->e, A(0));
	shm_enc_u64(c->e, A(1));
	shm_enc_u32(c->e, pd_prot_flags(A(2)));
	shm_enc_u32(c->e, pd_mmap_flags(A(3)));
	pd_enc_fd(c, A(4));
	shm_enc_u64(c->e, A(5));
}

void pd_dec_mmap_x(struct pd_call *c)
{
	shm_enc_u64(c->e, (uint64_t)c->ret);
	vm_params(c);
}

void pd_dec_munmap_e(struct pd_call *c)
{
	shm_enc_u64(c->e, A(0));
	shm_enc_u64(c->e, A(1));
}

void pd_dec_munmap_x(struct pd_call *c)
{
	pd_enc_res(c);
	vm_params(c);
}

void pd_dec_mprotect_e(struct pd_call *c)
{
	shm_enc_u64(c->e, A(0));
	shm_enc_u64(c->e, A(1));
	shm_enc_u32(c->e, pd_prot_flags(A(2)));
}

void pd_dec_mprotect_x(struct pd_call *c) { pd_enc_res(c); }

/* kill(pid, sig), tkill(tid, sig), tgkill(pid, tid, sig) */
void pd_dec_kill_e(struct pd_call *c)
{
	shm_enc_s64(c->e, (int64_t)(int32_t)A(0));
	shm_enc_u8(c->e, (uint8_t)A(1));
}

void pd_dec_kill_x(struct pd_call *c) { pd_enc_res(c); }
void pd_dec_tkill_e(struct pd_call *c) { pd_dec_kill_e(c); }
void pd_dec_tkill_x(struct pd_call *c) { pd_enc_res(c); }

void pd_dec_tgkill_e(struct pd_call *c)
{
	shm_enc_s64(c->e, (int64_t)(int32_t)A(0));
	shm_enc_s64(c->e, (int64_t)(int32_t)A(1));
	shm_enc_u8(c->e, (uint8_t)A(2));
}

void pd_dec_tgkill_x(struct pd_call *c) { pd_enc_res(c); }

/* seccomp(op, flags, args): the operation only, as the driver has it */
void pd_dec_seccomp_e(struct pd_call *c) { shm_enc_u64(c->e, A(0)); }
void pd_dec_seccomp_x(struct pd_call *c) { pd_enc_res(c); }

/* nanosleep(req, rem): the interval asked for, in nanoseconds */
void pd_dec_nanosleep_e(struct pd_call *c)
{
	struct timespec ts;
	if (pd_mem_read(c->t->tid, A(0), &ts, sizeof ts) != sizeof ts) {
		pd_page_fault(c->tr);
		shm_enc_empty(c->e);
		return;
	}
	shm_enc_u64(c->e, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

void pd_dec_nanosleep_x(struct pd_call *c) { pd_enc_res(c); }
