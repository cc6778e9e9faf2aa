/* fd.* fields: the event's fd (type, name, directory, addresses, ports,
 * protocol), the name an fd-creating event gives when it made no fd, and
 * fd.nameraw. */
#include <stdio.h>
#include <string.h>

#include "fields_impl.h"

static int ip_value(struct eng_value *v, const uint32_t *addr, int v6)
{
	v->s = NULL;
	v->len = v6 ? 16 : 4;
	memcpy(v->ip, addr, v->len);
	return 0;
}

static int is_v6(const struct eng_fd *fd)
{
	return fd->type == SHM_SCAP_FD_IPV6_SOCK || fd->type == SHM_SCAP_FD_IPV6_SERVSOCK;
}

static int is_servsock(const struct eng_fd *fd)
{
	return fd->type == SHM_SCAP_FD_IPV4_SERVSOCK || fd->type == SHM_SCAP_FD_IPV6_SERVSOCK;
}

static int is_file(const struct eng_fd *fd)
{
	return fd->type == SHM_SCAP_FD_FILE || fd->type == SHM_SCAP_FD_FILE_V2;
}

/* libsinsp's dirname: "/" when the only slash is the first character or
 * there is none; the name unchanged when it ends in '/'. */
static const char *dir_of(char *buf, size_t cap, const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t n = strlen(name);
	if (!slash || slash == name)
		return "/";
	if ((size_t)(slash - name) < n - 1)
		n = (size_t)(slash - name);
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, name, n);
	buf[n] = 0;
	return buf;
}

/* Open-like and socket exits are read with one version's names. */
SHM_SAME_PARAM(CREAT_X_NAME, OPEN_X_NAME);
SHM_SAME_PARAM(OPENAT2_X_NAME, OPENAT_2_X_NAME);
SHM_SAME_PARAM(OPENAT2_X_DIRFD, OPENAT_2_X_DIRFD);
SHM_SAME_PARAM(ACCEPT_5_X_TUPLE, ACCEPT_X_TUPLE);
SHM_SAME_PARAM(ACCEPT4_X_TUPLE, ACCEPT_X_TUPLE);
SHM_SAME_PARAM(ACCEPT4_5_X_TUPLE, ACCEPT_X_TUPLE);
SHM_SAME_PARAM(CONNECT_X_TUPLE, ACCEPT_X_TUPLE);
SHM_SAME_PARAM(GENERIC_X_ID, GENERIC_E_ID);

/* The name an fd-creating exit event gives even when it made no fd (a
 * failed open still names its file); NULL for enter events. Written to
 * buf (cap bytes) or a constant. */
static const char *creator_name_of(const struct eng_ctx *c, char *buf, size_t cap)
{
	const struct shm_evt *e = &c->ev->evt;
	char val[ENG_FIELD_BUF];
	if (shm_event_is_enter(e->type))
		return NULL;
	switch (e->type) {
	case SHM_EV_SYSCALL_OPEN_X:
	case SHM_EV_SYSCALL_CREAT_X: {
		/* the path as the open would have named its fd: joined, normalized */
		const char *p = shm_evt_str(e, SHM_P_OPEN_X_NAME);
		if (!p)
			return NULL;
		eng_path_join(eng_state_cwd(c->st, c->ev->thread), p, buf, cap);
		return buf;
	}
	case SHM_EV_SOCKET_ACCEPT_X:
	case SHM_EV_SOCKET_ACCEPT_5_X:
	case SHM_EV_SOCKET_ACCEPT4_X:
	case SHM_EV_SOCKET_ACCEPT4_5_X:
	case SHM_EV_SOCKET_CONNECT_X:
		/* the tuple, as the parameter shows it */
		if (eng_fmt_arg(c, SHM_P_ACCEPT_X_TUPLE, val, sizeof(val)) < 0 && val[0] == 0)
			return NULL;
		snprintf(buf, cap, "%s", val);
		return buf;
	case SHM_EV_SYSCALL_OPENAT_2_X:
	case SHM_EV_SYSCALL_OPENAT2_X:
	case SHM_EV_SYSCALL_OPENAT_X: {
		/* dirfd and path from the exit, or from the enter for old openat */
		int old = e->type == SHM_EV_SYSCALL_OPENAT_X;
		const struct shm_evt *en = old ? c->ev->enter : e;
		unsigned name_i = old ? SHM_P_OPENAT_E_NAME : SHM_P_OPENAT_2_X_NAME;
		unsigned dirfd_i = old ? SHM_P_OPENAT_E_DIRFD : SHM_P_OPENAT_2_X_DIRFD;
		const char *p = en ? shm_evt_str(en, name_i) : NULL;
		int64_t dirfd;
		if (!p || shm_evt_get_s64(en, dirfd_i, &dirfd))
			return NULL;
		char dbuf[ENG_FIELD_BUF];
		const char *dir = p[0] == '/' ? "/" : eng_state_at_dir(c->st, c->ev->thread, dirfd,
								     "<UNKNOWN>", dbuf, sizeof(dbuf));
		eng_path_join(dir, p, buf, cap);
		return buf;
	}
	default:
		return "";
	}
}

/* The same, worked out once per event: the filter's checks, every rule and
 * the output all ask for it (a path join each time otherwise). */
static const char *creator_name(const struct eng_ctx *c)
{
	struct eng_state *st = c->st;
	if (st->memo_seq != st->seq || st->memo_ev != c->ev || !st->seq) {
		st->memo_name = creator_name_of(c, st->memo_buf, sizeof(st->memo_buf));
		st->memo_seq = st->seq;
		st->memo_ev = c->ev;
	}
	return st->memo_name;
}

static const char *null_fd_typechar(uint16_t type)
{
	switch (type & ~1u) {
	case SHM_EV_SYSCALL_OPEN_E:
	case SHM_EV_SYSCALL_OPENAT_E:
	case SHM_EV_SYSCALL_OPENAT_2_E:
	case SHM_EV_SYSCALL_OPENAT2_E:
	case SHM_EV_SYSCALL_CREAT_E:
		return "f";
	case SHM_EV_SOCKET_SOCKET_E:
	case SHM_EV_SOCKET_ACCEPT_E:
	case SHM_EV_SOCKET_ACCEPT_5_E:
	case SHM_EV_SOCKET_ACCEPT4_E:
	case SHM_EV_SOCKET_ACCEPT4_5_E:
		return "4"; /* libsinsp's guess: it cannot tell without the fd */
	case SHM_EV_SYSCALL_PIPE_E:
		return "p";
	case SHM_EV_SYSCALL_EVENTFD_E:
		return "e";
	case SHM_EV_SYSCALL_SIGNALFD_E:
		return "s";
	case SHM_EV_SYSCALL_TIMERFD_CREATE_E:
		return "t";
	case SHM_EV_SYSCALL_INOTIFY_INIT_E:
		return "i";
	default:
		return "o";
	}
}

/* fd fields when the event's fd is unknown (failed, or never seen). */
static int extract_null_fd(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	const char *n;
	switch (ref->info->id) {
	case F_FD_NAME:
		return str(v, creator_name(c));
	case F_FD_DIRECTORY:
		if (!(n = creator_name(c)))
			return NA;
		return str(v, dir_of(ref->buf, sizeof(ref->buf), n));
	case F_FD_TYPECHAR:
		return str(v, null_fd_typechar(c->ev->evt.type));
	default:
		return NA;
	}
}

int fields_extract_fd(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	const struct eng_event *ev = c->ev;
	const struct eng_fd *fd = ev->fd;
	uint16_t fl = ev->evt.info->flags;
	/* memfd_create's generic exit has the fd pdig's extension gave it */
	if (ev->evt.type == SHM_EV_GENERIC_X && fd)
		fl |= SHM_EF_CREATES_FD;
	if (!ev->thread || !(fl & (SHM_EF_CREATES_FD | SHM_EF_USES_FD | SHM_EF_DESTROYS_FD)))
		return NA;
	if (ref->info->id == F_FD_NUM)
		return num(v, ev->fdnum);
	/* a failed connect shows where it tried to go */
	int64_t res;
	if (!fd || (ev->evt.type == SHM_EV_SOCKET_CONNECT_X && ref->info->id == F_FD_NAME &&
		    shm_evt_get_s64(&ev->evt, SHM_P_CONNECT_X_RES, &res) == 0 && res < 0))
		return extract_null_fd(ref, c, v);
	int ip = is_ip_sock(fd), serv = is_servsock(fd), conn = ip && !serv;
	int id = ref->info->id;
	switch (id) {
	case F_FD_TYPE: return str(v, eng_fd_typename(fd));
	case F_FD_TYPECHAR: return str(v, eng_fd_typechar(fd));
	case F_FD_NAME: return str(v, fd->name);
	case F_FD_DIRECTORY:
		if (fd->type == SHM_SCAP_FD_DIRECTORY)
			return str(v, fd->name);
		if (!is_file(fd))
			return NA;
		return str(v, dir_of(ref->buf, sizeof(ref->buf), fd->name));
	case F_FD_FILENAME: {
		if (!is_file(fd))
			return NA;
		const char *slash = strrchr(fd->name, '/');
		if (!slash)
			return str(v, "/");
		return str(v, slash[1] ? slash + 1 : fd->name);
	}
	case F_FD_IP:
	case F_FD_NET:
		/* either end, whatever the role; a listening socket has one */
		if (!ip)
			return NA;
		return ip_value(v, serv || ref->side == 0 ? fd->sip : fd->dip, is_v6(fd));
	case F_FD_PORT:
		if (!ip)
			return NA;
		return num(v, serv || ref->side == 0 ? fd->sport : fd->dport);
	case F_FD_CIP:
	case F_FD_CNET:
		if (!conn || fd->role == ENG_ROLE_NONE)
			return NA;
		return ip_value(v, fd->sip, is_v6(fd));
	case F_FD_SIP:
	case F_FD_SNET:
		if (!ip || (conn && fd->role == ENG_ROLE_NONE))
			return NA;
		return ip_value(v, serv ? fd->sip : fd->dip, is_v6(fd));
	case F_FD_LIP:
	case F_FD_RIP:
	case F_FD_LNET:
	case F_FD_RNET:
	case F_FD_LPORT:
	case F_FD_RPORT: {
		/* the local end is the one whose address is the machine's */
		if (!conn || fd->role == ENG_ROLE_NONE)
			return NA;
		int local_src = is_v6(fd) ? eng_state_is_local_ip6(c->st, ev->thread, fd->sip)
					  : eng_state_is_local_ip4(c->st, fd->sip[0]);
		int want_src = (id == F_FD_LIP || id == F_FD_LNET || id == F_FD_LPORT) ? local_src
										  : !local_src;
		if (id != F_FD_LPORT && id != F_FD_RPORT)
			return ip_value(v, want_src ? fd->sip : fd->dip, is_v6(fd));
		return num(v, want_src ? fd->sport : fd->dport);
	}
	case F_FD_CONNECTED:
		return num(v, fd->connected);
	case F_FD_NAME_CHANGED:
		return num(v, ev->fd_renamed);
	case F_FD_CPORT:
		if (fd->role == ENG_ROLE_NONE)
			return NA;
		/* sysdig 0.29.3 prints 0 for sockets without a client port
		 * (listening and unix sockets) */
		return num(v, conn ? fd->sport : 0);
	case F_FD_SPORT:
		if (!ip || (conn && fd->role == ENG_ROLE_NONE))
			return NA;
		return num(v, serv ? fd->sport : fd->dport);
	case F_FD_L4PROTO:
		/* sysdig 0.29.3 knows the protocol once the socket has a peer or a
		 * port, and says "<NA>" (a string, which rules can compare) for
		 * every other fd: kept for compatibility */
		if (!ip || fd->role == ENG_ROLE_NONE)
			return str(v, "<NA>");
		switch (fd->l4proto) {
		case ENG_L4_TCP: return str(v, "tcp");
		case ENG_L4_UDP: return str(v, "udp");
		case ENG_L4_ICMP: return str(v, "icmp");
		case ENG_L4_RAW: return str(v, "raw");
		default: return str(v, "<NA>");
		}
	case F_FD_SOCKFAMILY:
		if (ip)
			return str(v, "ip");
		if (fd->type == SHM_SCAP_FD_UNIX_SOCK)
			return str(v, "unix");
		return NA;
	case F_FD_IS_SERVER:
		if (serv)
			return num(v, 1);
		if (fd->type == SHM_SCAP_FD_IPV4_SOCK)
			return num(v, eng_state_is_local_ip4(c->st, fd->dip[0]));
		if (fd->type == SHM_SCAP_FD_IPV6_SOCK)
			return num(v, eng_state_is_local_ip6(c->st, ev->thread, fd->dip));
		return num(v, 0);
	}
	return NA;
}

/* fd.nameraw: the path an open-like exit was given, as given; for other
 * events the fd's name (the raw path of older opens is not kept). */
int fields_extract_nameraw(const struct eng_ctx *c, struct eng_value *v)
{
	const struct shm_evt *e = &c->ev->evt;
	const char *p = NULL;
	switch (e->type) {
	case SHM_EV_SYSCALL_OPEN_X:
	case SHM_EV_SYSCALL_CREAT_X:
	case SHM_EV_SYSCALL_OPENAT_2_X:
	case SHM_EV_SYSCALL_OPENAT2_X:
		p = e->type == SHM_EV_SYSCALL_OPEN_X || e->type == SHM_EV_SYSCALL_CREAT_X
			    ? shm_evt_str(e, SHM_P_OPEN_X_NAME)
			    : shm_evt_str(e, SHM_P_OPENAT_2_X_NAME);
		break;
	case SHM_EV_SYSCALL_OPENAT_X:
		p = c->ev->enter ? shm_evt_str(c->ev->enter, SHM_P_OPENAT_E_NAME) : NULL;
		break;
	default:
		break;
	}
	if (p)
		return str(v, p);
	if (!c->ev->thread || !c->ev->fd)
		return NA;
	return str(v, c->ev->fd->name);
}
