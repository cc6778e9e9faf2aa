/* mount and umount2: the driver's mount and umount events (the 2022
 * versions: flags on the enter, the strings and the result on the exit). */
#include "pdig.h"

#define A(i) (c->args[i])

/* mount(2) still accepts the pre-2.4 magic number in the upper half of its
 * flags (MS_MGC_VAL), which the kernel ignores; the driver drops it too.
 * The other MS_* bits are the driver's PPM_MS_* values as they are. */
#define MS_MGC_MSK 0xffff0000u
#define MS_MGC_VAL 0xc0ed0000u

void pd_dec_mount_e(struct pd_call *c)
{
	uint32_t flags = (uint32_t)A(3);
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	shm_enc_u32(c->e, flags);
}

/* A string argument; a NULL pointer is "(NULL)", as the driver writes it
 * (an empty value would be read by sysdig 0.29.3 as the next value's bytes). */
static void enc_str_arg(struct pd_call *c, uint64_t addr)
{
	if (addr)
		pd_enc_path(c, addr);
	else
		shm_enc_str(c->e, "(NULL)");
}

/* res, dev (source: a device, a directory for MS_BIND, any word for
 * tmpfs or proc, NULL for a remount), dir, type (NULL for bind, move and
 * propagation changes) */
void pd_dec_mount_x(struct pd_call *c)
{
	pd_enc_res(c);
	enc_str_arg(c, A(0));
	enc_str_arg(c, A(1));
	enc_str_arg(c, A(2));
}

/* umount2(target, flags): MNT_FORCE, MNT_DETACH, MNT_EXPIRE and
 * UMOUNT_NOFOLLOW are the driver's PPM_MNT_* values; other bits make the
 * kernel refuse the call (EINVAL) and are not shown. */
void pd_dec_umount_e(struct pd_call *c)
{
	shm_enc_u32(c->e, (uint32_t)A(1) & (SHM_PPM_MNT_FORCE | SHM_PPM_MNT_DETACH |
					    SHM_PPM_MNT_EXPIRE | SHM_PPM_UMOUNT_NOFOLLOW));
}

void pd_dec_umount_x(struct pd_call *c)
{
	pd_enc_res(c);
	enc_str_arg(c, A(0));
}
