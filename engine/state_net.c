/* The network events' parsers: socket, connect, accept, bind, socketpair and
 * the datagram tuples of sendto/recvfrom/sendmsg/recvmsg. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "state_impl.h"

void eng_st_parse_socket_exit(struct eng_state *st, struct eng_event *ev)
{
	int64_t fdn = shm_evt_s64(&ev->evt, SHM_P_SOCKET_X_FD, -1);
	if (fdn < 0 || !ev->thread || !ev->enter)
		return;
	uint32_t domain = (uint32_t)shm_evt_u64(ev->enter, SHM_P_SOCKET_E_DOMAIN, 0);
	uint32_t type = (uint32_t)shm_evt_u64(ev->enter, SHM_P_SOCKET_E_TYPE, 0);
	uint32_t proto = (uint32_t)shm_evt_u64(ev->enter, SHM_P_SOCKET_E_PROTO, 0);
	uint8_t ftype, l4 = ENG_L4_UNKNOWN;
	if (domain == SHM_PPM_AF_UNIX) {
		ftype = SHM_SCAP_FD_UNIX_SOCK;
	} else if (domain == SHM_PPM_AF_INET || domain == SHM_PPM_AF_INET6) {
		ftype = domain == SHM_PPM_AF_INET ? SHM_SCAP_FD_IPV4_SOCK : SHM_SCAP_FD_IPV6_SOCK;
		int raw = type == 3; /* SOCK_RAW */
		if (proto == 6)
			l4 = raw ? ENG_L4_RAW : ENG_L4_TCP;
		else if (proto == 17)
			l4 = raw ? ENG_L4_RAW : ENG_L4_UDP;
		else if (proto == 0)
			l4 = (type & 0xff) == 1 ? ENG_L4_TCP : (type & 0xff) == 2 ? ENG_L4_UDP
									  : ENG_L4_UNKNOWN;
		else if (proto == 1)
			l4 = raw ? ENG_L4_RAW : ENG_L4_ICMP;
		else if (proto == 255)
			l4 = ENG_L4_RAW;
	} else if (domain == SHM_PPM_AF_NETLINK) {
		ftype = SHM_SCAP_FD_NETLINK;
	} else {
		return; /* libsinsp keeps no entry for other families */
	}
	struct eng_fd *fd = eng_st_fd_add(st, ev->thread, fdn, ftype, "");
	if (fd) {
		fd->l4proto = l4;
		fd->cloexec = (type & 02000000) != 0; /* SOCK_CLOEXEC */
		ev->fd = fd;
		ev->thread->lastevent_fd = fdn;
	}
}

/* Fills the fd's addresses from a driver-layout tuple; 0 if understood. */
static int set_tuple(struct eng_fd *fd, const uint8_t *p, uint32_t len)
{
	if (len >= 13 && p[0] == SHM_PPM_AF_INET) {
		memset(fd->sip, 0, sizeof(fd->sip));
		memset(fd->dip, 0, sizeof(fd->dip));
		memcpy(&fd->sip[0], p + 1, 4);
		memcpy(&fd->sport, p + 5, 2);
		memcpy(&fd->dip[0], p + 7, 4);
		memcpy(&fd->dport, p + 11, 2);
		fd->type = SHM_SCAP_FD_IPV4_SOCK;
		return 0;
	}
	if (len >= 37 && p[0] == SHM_PPM_AF_INET6) {
		static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(p + 1, v4mapped, 12) && !memcmp(p + 19, v4mapped, 12)) {
			memset(fd->sip, 0, sizeof(fd->sip));
			memset(fd->dip, 0, sizeof(fd->dip));
			memcpy(&fd->sip[0], p + 13, 4);
			memcpy(&fd->dip[0], p + 31, 4);
			fd->type = SHM_SCAP_FD_IPV4_SOCK;
		} else {
			memcpy(fd->sip, p + 1, 16);
			memcpy(fd->dip, p + 19, 16);
			fd->type = SHM_SCAP_FD_IPV6_SOCK;
		}
		memcpy(&fd->sport, p + 17, 2);
		memcpy(&fd->dport, p + 35, 2);
		return 0;
	}
	return -1;
}

static void set_fd_name_from_param(struct eng_state *st, struct eng_fd *fd,
				   const struct shm_evt *e, unsigned i)
{
	char buf[512];
	if (shm_fmt_value(e, i, buf, sizeof(buf)) < 0 && buf[0] == 0)
		return;
	if (strcmp(fd->name, buf) != 0)
		fd->name_gen++;
	eng_st_fd_set_name(st, fd, buf);
}

void eng_st_parse_connect_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_fd *fd = ev->fd;
	if (!fd)
		return;
	int64_t res = shm_evt_s64(e, SHM_P_CONNECT_X_RES, 0);
	if (res < 0 && res != -EINPROGRESS)
		return;
	uint32_t len = shm_evt_len(e, SHM_P_CONNECT_X_TUPLE);
	if (len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_CONNECT_X_TUPLE];
	if (p[0] == SHM_PPM_AF_INET || p[0] == SHM_PPM_AF_INET6) {
		uint8_t l4 = fd->l4proto;
		set_tuple(fd, p, len);
		fd->l4proto = l4;
	}
	if (fd->role == ENG_ROLE_NONE)
		fd->role = ENG_ROLE_CLIENT;
	fd->connected = 1;
	set_fd_name_from_param(st, fd, e, SHM_P_CONNECT_X_TUPLE);
}

/* connect's enter already says where the socket goes (not yet who it is). */
void eng_st_parse_connect_enter(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_fd *fd = ev->fd;
	uint32_t len = shm_evt_len(e, SHM_P_CONNECT_E_ADDR);
	if (!fd || len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_CONNECT_E_ADDR];
	if (p[0] == SHM_PPM_AF_INET && len >= 7) {
		fd->type = SHM_SCAP_FD_IPV4_SOCK;
		memset(fd->dip, 0, sizeof(fd->dip));
		memcpy(&fd->dip[0], p + 1, 4);
		memcpy(&fd->dport, p + 5, 2);
	} else if (p[0] == SHM_PPM_AF_INET6 && len >= 19) {
		fd->type = SHM_SCAP_FD_IPV6_SOCK;
		memcpy(fd->dip, p + 1, 16);
		memcpy(&fd->dport, p + 17, 2);
	} else if (p[0] == SHM_PPM_AF_UNIX) {
		/* a unix socket is named after the path it connects to */
		char path[512];
		size_t n = strnlen((const char *)p + 1, len - 1);
		if (n >= sizeof(path))
			n = sizeof(path) - 1;
		memcpy(path, p + 1, n);
		path[n] = 0;
		if (strcmp(fd->name, path) != 0)
			fd->name_gen++;
		eng_st_fd_set_name(st, fd, path);
	}
}

/* accept4's exits are read as accept's */
SHM_SAME_LAYOUT(ACCEPT4_X, ACCEPT_X);
SHM_SAME_LAYOUT(ACCEPT4_5_X, ACCEPT_5_X);
SHM_SAME_PARAM(ACCEPT_5_X_FD, ACCEPT_X_FD);
SHM_SAME_PARAM(ACCEPT_5_X_TUPLE, ACCEPT_X_TUPLE);

void eng_st_parse_accept_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	int64_t fdn = shm_evt_s64(e, SHM_P_ACCEPT_X_FD, -1);
	uint32_t len = shm_evt_len(e, SHM_P_ACCEPT_X_TUPLE);
	if (fdn < 0 || !ev->thread || len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_ACCEPT_X_TUPLE];
	uint8_t type = p[0] == SHM_PPM_AF_UNIX ? SHM_SCAP_FD_UNIX_SOCK
		       : p[0] == SHM_PPM_AF_INET6 ? SHM_SCAP_FD_IPV6_SOCK : SHM_SCAP_FD_IPV4_SOCK;
	struct eng_fd *fd = eng_st_fd_add(st, ev->thread, fdn, type, "");
	if (!fd)
		return;
	if (type != SHM_SCAP_FD_UNIX_SOCK) {
		set_tuple(fd, p, len);
		fd->l4proto = ENG_L4_TCP;
	}
	fd->role = ENG_ROLE_SERVER;
	fd->connected = 1;
	set_fd_name_from_param(st, fd, e, SHM_P_ACCEPT_X_TUPLE);
	ev->fd = fd;
	ev->thread->lastevent_fd = fdn;
}

void eng_st_parse_bind_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_fd *fd = ev->fd;
	uint32_t len = shm_evt_len(e, SHM_P_BIND_X_ADDR);
	if (!fd || shm_evt_s64(e, SHM_P_BIND_X_RES, -1) < 0 || len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_BIND_X_ADDR];
	uint16_t port = 0;
	if (p[0] == SHM_PPM_AF_INET && len >= 7) {
		memcpy(&port, p + 5, 2);
		if (port) {
			fd->type = SHM_SCAP_FD_IPV4_SERVSOCK;
			memset(fd->sip, 0, sizeof(fd->sip));
			memcpy(&fd->sip[0], p + 1, 4);
			fd->sport = port;
			fd->role = ENG_ROLE_SERVER;
		}
	} else if (p[0] == SHM_PPM_AF_INET6 && len >= 19) {
		memcpy(&port, p + 17, 2);
		if (port) {
			fd->type = SHM_SCAP_FD_IPV6_SERVSOCK;
			memcpy(fd->sip, p + 1, 16);
			fd->sport = port;
			fd->role = ENG_ROLE_SERVER;
		}
	}
	set_fd_name_from_param(st, fd, e, SHM_P_BIND_X_ADDR);
}

/* libsinsp's guess of the local address of a half-known IPv4 tuple: the
 * interface with that very address, else one whose subnet (its netmask)
 * holds it, else the first one not loopback, else 0. */
static uint32_t infer_local_ip4(const struct eng_state *st, uint32_t addr)
{
	const struct eng_local_addr *a = st->local_ip4;
	for (size_t i = 0; i < st->nlocal_ip4; i++)
		if (a[i].addr[0] == addr)
			return addr;
	for (size_t i = 0; i < st->nlocal_ip4; i++)
		if ((a[i].addr[0] & a[i].netmask) == (addr & a[i].netmask))
			return a[i].addr[0];
	for (size_t i = 0; i < st->nlocal_ip4; i++)
		if (a[i].addr[0] != htonl(INADDR_LOOPBACK))
			return a[i].addr[0];
	return 0;
}

static int is_zero6(const uint32_t a[4])
{
	return !(a[0] | a[1] | a[2] | a[3]);
}

/* The same for IPv6 (written to out): the interface with that address,
 * else one whose first 64 bits are the address's (libsinsp's idea of a
 * subnet, netmasks unused), else the first that is not ::1, else ::. */
static void infer_local_ip6(const struct eng_state *st, const uint32_t addr[4], uint32_t out[4])
{
	const uint32_t lo[4] = {0, 0, 0, htonl(1)}; /* ::1 */
	const struct eng_local_addr *a = st->local_ip4 + st->nlocal_ip4;
	size_t n = st->nlocal_ip6, i;
	for (i = 0; i < n; i++)
		if (!memcmp(a[i].addr, addr, 16))
			break;
	if (i == n)
		for (i = 0; i < n; i++)
			if (a[i].addr[0] == addr[0] && a[i].addr[1] == addr[1])
				break;
	if (i == n)
		for (i = 0; i < n; i++)
			if (memcmp(a[i].addr, lo, 16))
				break;
	if (i == n)
		memset(out, 0, 16);
	else
		memcpy(out, a[i].addr, 16);
}

/* libsinsp's test for a tuple address it reads as IPv4: ::ffff:a.b.c.d, and
 * also the all-zero address (an unbound socket's source). */
static int addr6_as_ip4(const uint8_t *a)
{
	static const uint8_t zero[12];
	return !memcmp(a, zero, 10) &&
	       ((a[10] == 0xff && a[11] == 0xff) || !memcmp(a + 10, zero, 6));
}

/* libsinsp keeps an IPv6 socket's addresses and an IPv4 one's in the same
 * bytes, the IPv6 source first: an IPv4 socket whose IPv6 source was set to
 * A (an IPv4(-mapped) tuple on an IPv6 socket, which starts from the IPv6
 * source it had, or a plain IPv6 tuple on an IPv4 socket) reads its
 * addresses from A's bytes. For the usual sources (::, ::1, ::ffff:...)
 * that is zero addresses and ports. */
static void fd_ip4_view(struct eng_fd *fd, const uint8_t a16[16])
{
	uint8_t a[16];
	memcpy(a, a16, 16);
	memset(fd->sip, 0, sizeof(fd->sip));
	memset(fd->dip, 0, sizeof(fd->dip));
	memcpy(&fd->sip[0], a, 4);
	memcpy(&fd->dip[0], a + 4, 4);
	memcpy(&fd->sport, a + 8, 2);
	memcpy(&fd->dport, a + 10, 2);
	/* its protocol byte is A's 13th: 0 (unknown) for them */
	if (a[12] == 0)
		fd->l4proto = ENG_L4_UNKNOWN;
	fd->type = SHM_SCAP_FD_IPV4_SOCK;
}

static void fd_rename(struct eng_state *st, struct eng_fd *fd, const char *name)
{
	if (strcmp(fd->name, name) != 0)
		fd->name_gen++;
	eng_st_fd_set_name(st, fd, name);
}

/* The rest of eng_st_parse_dgram_tuple for an IPv4 socket whose addresses are set:
 * protocol, zero addresses, role, order and name. */
static void dgram_name_ip4(struct eng_state *st, struct eng_fd *fd, int incoming)
{
	if (fd->l4proto == ENG_L4_UNKNOWN)
		fd->l4proto = ENG_L4_UDP;
	if (fd->sip[0] == 0) {
		uint32_t a = infer_local_ip4(st, fd->dip[0]);
		if (a != fd->dip[0] || fd->sport != fd->dport)
			fd->sip[0] = a;
	} else if (fd->dip[0] == 0) {
		uint32_t a = infer_local_ip4(st, fd->sip[0]);
		if (a != fd->sip[0] || fd->sport != fd->dport)
			fd->dip[0] = a;
	}
	if (fd->role == ENG_ROLE_NONE)
		fd->role = incoming ? ENG_ROLE_SERVER : ENG_ROLE_CLIENT;
	if (fd->role == (incoming ? ENG_ROLE_CLIENT : ENG_ROLE_SERVER)) {
		uint32_t a = fd->sip[0];
		uint16_t port = fd->sport;
		fd->sip[0] = fd->dip[0];
		fd->sport = fd->dport;
		fd->dip[0] = a;
		fd->dport = port;
	}
	const uint8_t *s = (const uint8_t *)&fd->sip[0], *d = (const uint8_t *)&fd->dip[0];
	char name[64];
	snprintf(name, sizeof(name), "%u.%u.%u.%u:%u->%u.%u.%u.%u:%u", s[0], s[1], s[2], s[3],
		 fd->sport, d[0], d[1], d[2], d[3], fd->dport);
	if (strcmp(fd->name, name) != 0)
		fd->name_gen++;
	eng_st_fd_set_name(st, fd, name);
}

/* libsinsp's guess of the role of an IPv6 socket without one. It asks
 * whether the thread's IPv4 sockets use, as a peer's port or a bound one,
 * the "port" its IPv4 view of this fd gives (bytes 10-11 of the IPv6
 * source): not so, client; so, and bytes 8-9 are some IPv4 socket's own
 * port too, server when it reads and client when it writes; else server.
 * (An IPv4 socket always finds itself: the read/write rule.) */
static uint8_t guess_role6(const struct eng_thread *t, const struct eng_fd *fd, int incoming)
{
	uint16_t sport4, dport4;
	int bound = 0, client_port = 0;
	memcpy(&sport4, (const uint8_t *)fd->sip + 8, 2);
	memcpy(&dport4, (const uint8_t *)fd->sip + 10, 2);
	for (size_t i = 0; t && t->fdt && i < t->fdt->fds.cap; i++) {
		const struct eng_fd *o = t->fdt->fds.slots[i].val;
		if (!o)
			continue;
		if (o->type == SHM_SCAP_FD_IPV4_SOCK) {
			bound |= o->dport == dport4;
			client_port |= o->sport == sport4;
		} else if (o->type == SHM_SCAP_FD_IPV4_SERVSOCK) {
			bound |= o->sport == dport4;
		}
	}
	if (!bound)
		return ENG_ROLE_CLIENT;
	if (!client_port)
		return ENG_ROLE_SERVER;
	return incoming ? ENG_ROLE_SERVER : ENG_ROLE_CLIENT;
}

/* The IPv6 half of eng_st_parse_dgram_tuple (a tuple libsinsp does not read
 * as IPv4: an address in it is neither IPv4-mapped nor zero), as libsinsp
 * 0.29.3 does it: the rules of the IPv4 half, except that a zero end is
 * patched from the IPv6 interfaces (infer_local_ip6), the role is
 * guess_role6's, and a bound server socket is named after the tuple as it
 * is and takes its source as fd.sip. On an IPv4 socket (one an IPv4-mapped tuple made so)
 * the IPv6 source is read through the IPv4 view, as libsinsp does. */
static void parse_dgram_tuple6(struct eng_state *st, struct eng_event *ev, const struct shm_evt *te,
			       unsigned i, int incoming)
{
	struct eng_fd *fd = ev->fd;
	const uint8_t *p = te->val[i];
	uint32_t ts[4], td[4];
	uint16_t tsport, tdport;
	memcpy(ts, p + 1, 16);
	memcpy(&tsport, p + 17, 2);
	memcpy(td, p + 19, 16);
	memcpy(&tdport, p + 35, 2);
	if (fd->type == SHM_SCAP_FD_IPV6_SERVSOCK) {
		char buf[128];
		memcpy(fd->sip, ts, 16);
		if (shm_fmt_value(te, i, buf, sizeof(buf)) >= 0 || buf[0])
			fd_rename(st, fd, buf);
		return;
	}
	if (fd->type == SHM_SCAP_FD_IPV4_SOCK) {
		fd_ip4_view(fd, p + 1);
		dgram_name_ip4(st, fd, incoming);
		return;
	}
	if (fd->type != SHM_SCAP_FD_IPV6_SOCK)
		return;
	if ((!memcmp(ts, fd->sip, 16) && tsport == fd->sport && !memcmp(td, fd->dip, 16) &&
	     tdport == fd->dport) ||
	    (!memcmp(td, fd->sip, 16) && tdport == fd->sport && !memcmp(ts, fd->dip, 16) &&
	     tsport == fd->dport))
		return;
	int changed = memcmp(fd->sip, ts, 16) || fd->sport != tsport;
	memcpy(fd->sip, ts, 16);
	fd->sport = tsport;
	if (is_zero6(fd->dip)) {
		memcpy(fd->dip, td, 16);
		changed = 1;
	}
	if (fd->dport == 0) {
		fd->dport = tdport;
		changed = 1;
	}
	if (!changed)
		return;
	if (fd->l4proto == ENG_L4_UNKNOWN)
		fd->l4proto = ENG_L4_UDP;
	if (is_zero6(fd->sip) || is_zero6(fd->dip)) {
		/* one end unknown: the local one, libsinsp assumes */
		uint32_t *known = is_zero6(fd->sip) ? fd->dip : fd->sip;
		uint32_t *unknown = known == fd->dip ? fd->sip : fd->dip;
		uint32_t a[4];
		infer_local_ip6(st, known, a);
		if (memcmp(a, known, 16) || fd->sport != fd->dport)
			memcpy(unknown, a, 16);
	}
	if (fd->role == ENG_ROLE_NONE)
		fd->role = guess_role6(ev->thread, fd, incoming);
	if (fd->role == (incoming ? ENG_ROLE_CLIENT : ENG_ROLE_SERVER)) {
		uint32_t a[4];
		uint16_t port = fd->sport;
		memcpy(a, fd->sip, 16);
		memcpy(fd->sip, fd->dip, 16);
		fd->sport = fd->dport;
		memcpy(fd->dip, a, 16);
		fd->dport = port;
	}
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], name[2 * INET6_ADDRSTRLEN + 16];
	inet_ntop(AF_INET6, fd->sip, s, sizeof(s));
	inet_ntop(AF_INET6, fd->dip, d, sizeof(d));
	snprintf(name, sizeof(name), "%s:%u->%s:%u", s, fd->sport, d, fd->dport);
	fd_rename(st, fd, name);
}

/*
 * sendto/sendmsg (tuple of the enter) and recvfrom/recvmsg (tuple of the
 * exit) on a socket that is not a named TCP one: libsinsp takes the tuple
 * as the fd's addresses (an unconnected UDP socket gets its name here).
 * Its rules, which we follow: the source always, the destination's address
 * and port each only while the fd has none; nothing when the tuple is the
 * fd's (either way round) or changes none of its addresses and ports;
 * an unknown protocol becomes UDP; a zero address is patched from the
 * interface list; a socket without a role becomes a server when it reads
 * and a client when it writes; the addresses are swapped for a client that
 * reads or a server that writes; the name is then client->server.
 * IPv4 here (and IPv6 tuples libsinsp reads as IPv4); IPv6 in
 * parse_dgram_tuple6.
 */
void eng_st_parse_dgram_tuple(struct eng_state *st, struct eng_event *ev, const struct shm_evt *te,
			      unsigned i, int incoming)
{
	struct eng_fd *fd = ev->fd;
	if (!fd || shm_evt_s64(&ev->evt, SHM_P_RES, -1) < 0 || shm_evt_len(te, i) == 0)
		return;
	if (fd->name[0] && fd->l4proto == ENG_L4_TCP &&
	    (fd->type == SHM_SCAP_FD_IPV4_SOCK || fd->type == SHM_SCAP_FD_IPV6_SOCK))
		return;
	const uint8_t *p = te->val[i];
	uint32_t len = te->vlen[i];
	uint32_t tsip, tdip;
	uint16_t tsport, tdport;
	if (p[0] == SHM_PPM_AF_INET && len >= 13) {
		memcpy(&tsip, p + 1, 4);
		memcpy(&tsport, p + 5, 2);
		memcpy(&tdip, p + 7, 4);
		memcpy(&tdport, p + 11, 2);
	} else if (p[0] == SHM_PPM_AF_INET6 && len >= 37) {
		if (!addr6_as_ip4(p + 1) || !addr6_as_ip4(p + 19)) {
			parse_dgram_tuple6(st, ev, te, i, incoming);
			return;
		}
		memcpy(&tsip, p + 13, 4);
		memcpy(&tsport, p + 17, 2);
		memcpy(&tdip, p + 31, 4);
		memcpy(&tdport, p + 35, 2);
		if (fd->type == SHM_SCAP_FD_IPV6_SOCK || fd->type == SHM_SCAP_FD_IPV6_SERVSOCK)
			fd_ip4_view(fd, (const uint8_t *)fd->sip);
	} else {
		return;
	}
	if (fd->type == SHM_SCAP_FD_IPV4_SOCK &&
	    ((tsip == fd->sip[0] && tsport == fd->sport && tdip == fd->dip[0] && tdport == fd->dport) ||
	     (tdip == fd->sip[0] && tdport == fd->sport && tsip == fd->dip[0] && tsport == fd->dport)))
		return;
	fd->type = SHM_SCAP_FD_IPV4_SOCK;
	int changed = fd->sip[0] != tsip || fd->sport != tsport;
	fd->sip[0] = tsip;
	fd->sport = tsport;
	/* the destination's address and port each only while the fd has none */
	if (fd->dip[0] == 0) {
		fd->dip[0] = tdip;
		changed = 1;
	}
	if (fd->dport == 0) {
		fd->dport = tdport;
		changed = 1;
	}
	if (changed)
		dgram_name_ip4(st, fd, incoming);
}

SHM_SAME_LAYOUT(SENDMSG_E, SENDTO_E); /* both read by eng_st_parse_dgram_tuple at their exits */

/* sendto on an fd the state does not have (closed by a close that raced
 * its reuse by another thread, or never seen): like libsinsp, a socket of
 * the tuple's family is made for it, which the exit then names. */
void eng_st_parse_sendto_enter(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	if (ev->fd || !ev->thread || ev->fdnum < 0 || shm_evt_len(e, SHM_P_SENDTO_E_TUPLE) == 0)
		return;
	uint8_t type;
	switch (e->val[SHM_P_SENDTO_E_TUPLE][0]) {
	case SHM_PPM_AF_INET: type = SHM_SCAP_FD_IPV4_SOCK; break;
	case SHM_PPM_AF_INET6: type = SHM_SCAP_FD_IPV6_SOCK; break;
	default: return;
	}
	ev->fd = eng_st_fd_add(st, ev->thread, ev->fdnum, type, "");
}

void eng_st_parse_socketpair_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	if (shm_evt_s64(e, SHM_P_SOCKETPAIR_X_RES, -1) < 0 || !ev->thread)
		return;
	for (unsigned i = SHM_P_SOCKETPAIR_X_FD1; i <= SHM_P_SOCKETPAIR_X_FD2; i++) {
		int64_t n = shm_evt_s64(e, i, -1);
		struct eng_fd *fd = eng_st_fd_add(st, ev->thread, n, SHM_SCAP_FD_UNIX_SOCK, "");
		if (fd) {
			ev->fd = fd;
			ev->thread->lastevent_fd = n;
		}
	}
}
