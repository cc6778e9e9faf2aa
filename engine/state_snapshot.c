/* Loading the state from a capture's snapshot: processes, their fds, the
 * local addresses, users and groups. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state_impl.h"

int eng_state_add_proc(struct eng_state *st, const struct shm_scap_proc *p)
{
	struct eng_thread *t = eng_st_thread_alloc(st, (int64_t)p->tid);
	if (!t)
		return -ENOMEM;
	t->pid = (int64_t)p->pid;
	t->ptid = (int64_t)p->ptid;
	t->sid = (int64_t)p->sid;
	t->vpgid = (int64_t)p->vpgid;
	t->vtid = p->vtid;
	t->vpid = p->vpid;
	eng_st_set_str(st, &t->comm, p->comm);
	eng_st_set_str(st, &t->exe, p->exe);
	eng_st_set_str(st, &t->exepath, p->exepath);
	if (p->args && p->args_len)
		eng_st_set_buf(st, &t->args, &t->args_len, p->args, p->args_len);
	t->text_gen = eng_st_next_text_gen();
	if (p->env)
		eng_st_set_buf(st, &t->env, &t->env_len, p->env, p->env_len);
	eng_st_set_cwd(st, t, "/", p->cwd ? p->cwd : "/");
	t->uid = p->uid;
	t->gid = p->gid;
	t->loginuid = p->loginuid;
	t->tty = (uint32_t)p->tty;
	t->flags = p->flags;
	/* pdig's mark: in the traced tree before its first event (pdig -p,
	 * an engine that starts late) */
	t->traced = (p->flags & SHM_PDIG_CL_TRACED) != 0;
	t->exe_writable = p->exe_writable;
	t->exe_memfd = eng_st_is_memfd_path(t->exepath);
	t->clone_ts = p->clone_ts;
	eng_container_set_thread(st, t, p->cgroups, p->cgroups_len);
	int rc = eng_st_thread_insert(st, t);
	if (rc)
		return rc;
	eng_st_attach_fdtable(st, t);
	return t->fdt ? 0 : -ENOMEM;
}

int eng_state_add_fd(struct eng_state *st, int64_t tid, const struct shm_scap_fd *f)
{
	struct eng_thread *t = eng_state_thread(st, tid);
	if (!t)
		return -ENOENT;
	char name[512];
	const char *nm = f->name ? f->name : "";
	uint8_t type = f->type;
	/* sockets in the fd list have no name: build the one connect would */
	if (type == SHM_SCAP_FD_IPV4_SOCK) {
		const uint8_t *s = (const uint8_t *)&f->sip[0], *d = (const uint8_t *)&f->dip[0];
		snprintf(name, sizeof(name), "%u.%u.%u.%u:%u->%u.%u.%u.%u:%u", s[0], s[1], s[2],
			 s[3], f->sport, d[0], d[1], d[2], d[3], f->dport);
		nm = name;
	}
	struct eng_fd *fd = eng_st_fd_add(st, t, f->fd, type, nm);
	if (!fd)
		return -ENOMEM;
	memcpy(fd->sip, f->sip, sizeof(fd->sip));
	memcpy(fd->dip, f->dip, sizeof(fd->dip));
	fd->sport = f->sport;
	fd->dport = f->dport;
	fd->l4proto = f->l4proto;
	fd->ino = f->ino;
	fd->open_flags = f->open_flags;
	fd->cloexec = (f->open_flags & SHM_PPM_O_CLOEXEC) != 0;
	if (type == SHM_SCAP_FD_IPV4_SERVSOCK || type == SHM_SCAP_FD_IPV6_SERVSOCK)
		fd->role = ENG_ROLE_SERVER;
	return 0;
}

int eng_state_is_local_ip4(const struct eng_state *st, uint32_t addr)
{
	for (size_t i = 0; i < st->nlocal_ip4; i++)
		if (st->local_ip4[i].addr[0] == addr)
			return 1;
	return 0;
}

int eng_state_is_local_ip6(const struct eng_state *st, const struct eng_thread *t,
			   const uint32_t addr[4])
{
	/* libsinsp 0.29.3 has no IPv6 for containers: never local there */
	if (t && t->container_id && t->container_id[0])
		return 0;
	const struct eng_local_addr *v6 = st->local_ip4 + st->nlocal_ip4;
	for (size_t i = 0; i < st->nlocal_ip6; i++)
		if (v6[i].addr[0] == addr[0] && v6[i].addr[1] == addr[1])
			return 1;
	return 0;
}

int eng_state_add_ifaces(struct eng_state *st, const struct shm_scap_iface *ifs, size_t n)
{
	if (!n)
		return 0;
	size_t n4 = st->nlocal_ip4, n6 = st->nlocal_ip6;
	struct eng_local_addr *a = realloc(st->local_ip4, (n4 + n6 + n) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	st->local_ip4 = a;
	size_t add4 = 0;
	for (size_t i = 0; i < n; i++)
		add4 += !ifs[i].is_ipv6;
	/* the IPv6 ones move up, past the new IPv4 ones */
	memmove(a + n4 + add4, a + n4, n6 * sizeof(*a));
	struct eng_local_addr *v6 = a + n4 + add4;
	for (size_t i = 0; i < n; i++) {
		struct eng_local_addr *e = ifs[i].is_ipv6 ? &v6[n6++] : &a[n4++];
		memset(e, 0, sizeof(*e));
		if (ifs[i].is_ipv6) {
			memcpy(e->addr, ifs[i].addr6, 16);
		} else {
			e->addr[0] = ifs[i].addr4;
			e->netmask = ifs[i].netmask4;
		}
	}
	st->nlocal_ip4 = n4;
	st->nlocal_ip6 = n6;
	return 0;
}

int eng_state_load_scap(struct eng_state *st, const struct shm_scap_reader *r)
{
	const struct shm_scap_machine *mi = shm_scap_reader_machine(r);
	if (mi && mi->hostname && mi->hostname[0] && !(st->hostname = strdup(mi->hostname)))
		return -ENOMEM;
	const struct shm_scap_iface *ifs;
	size_t ni = shm_scap_reader_ifaces(r, &ifs);
	if (eng_state_add_ifaces(st, ifs, ni))
		return -ENOMEM;
	const struct shm_scap_proc *procs;
	size_t n = shm_scap_reader_procs(r, &procs);
	/* main threads first, so that threads find their process's fd table */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			int is_main = procs[i].tid == procs[i].pid;
			if (is_main != (pass == 0))
				continue;
			int rc = eng_state_add_proc(st, &procs[i]);
			if (rc)
				return rc;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct shm_scap_fd *fds;
		size_t nf = shm_scap_reader_fds(r, procs[i].tid, &fds);
		for (size_t j = 0; j < nf; j++) {
			int rc = eng_state_add_fd(st, (int64_t)procs[i].tid, &fds[j]);
			if (rc && rc != -ENOENT)
				return rc;
		}
	}
	const struct shm_scap_user *users;
	size_t nu = shm_scap_reader_users(r, &users);
	for (size_t i = 0; i < nu; i++)
		if (eng_state_add_user(st, &users[i]))
			return -ENOMEM;
	const struct shm_scap_group *groups;
	size_t ng = shm_scap_reader_groups(r, &groups);
	for (size_t i = 0; i < ng; i++)
		if (eng_state_add_group(st, &groups[i]))
			return -ENOMEM;
	return 0;
}
