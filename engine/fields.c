/* The field table, field lookup (eng_field_resolve, eng_field_scan),
 * extraction's dispatch to the field classes' files (fields_evt.c,
 * fields_proc.c, fields_fd.c, fields_user.c, fields_container.c) and the
 * printing of values (see eng_fields.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields_impl.h"

const struct eng_field_info eng_fields[] = {
	{"evt.num", F_EVT_NUM, ENG_FT_UINT64, 0, "event number."},
	{"evt.time", F_EVT_TIME, ENG_FT_STR, 0,
	 "event timestamp as a time string that includes the nanosecond part."},
	{"evt.time.s", F_EVT_TIME_S, ENG_FT_STR, 0,
	 "event timestamp as a time string with no nanoseconds."},
	{"evt.datetime", F_EVT_DATETIME, ENG_FT_STR, 0,
	 "event timestamp as a time string that includes the date."},
	{"evt.rawtime", F_EVT_RAWTIME, ENG_FT_ABSTIME, 0,
	 "absolute event timestamp, i.e. nanoseconds from epoch."},
	{"evt.rawtime.s", F_EVT_RAWTIME_S, ENG_FT_ABSTIME, 0,
	 "integer part of the event timestamp (e.g. seconds since epoch)."},
	{"evt.rawtime.ns", F_EVT_RAWTIME_NS, ENG_FT_ABSTIME, 0,
	 "fractional part of the absolute event timestamp."},
	{"evt.reltime", F_EVT_RELTIME, ENG_FT_RELTIME, 0,
	 "number of nanoseconds from the beginning of the capture."},
	{"evt.dir", F_EVT_DIR, ENG_FT_STR, 0,
	 "event direction can be either '>' for enter events or '<' for exit events."},
	{"evt.type", F_EVT_TYPE, ENG_FT_STR, 0, "The name of the event (e.g. 'open')."},
	{"evt.cpu", F_EVT_CPU, ENG_FT_INT64, 0, "number of the CPU where this event happened."},
	{"evt.args", F_EVT_ARGS, ENG_FT_STR, 0,
	 "all the event arguments, aggregated into a single string."},
	{"evt.info", F_EVT_INFO, ENG_FT_STR, 0,
	 "for most events, this field returns the same value as evt.args."},
	{"evt.arg", F_EVT_ARG, ENG_FT_STR, ENG_FF_ARG_NAME | ENG_FF_ARG_INDEX | ENG_FF_ARG_REQUIRED,
	 "one of the event arguments specified by name or by number, e.g. 'evt.arg.fd' or "
	 "'evt.arg[0]'; fds and pids are shown resolved when possible."},
	{"evt.rawarg", F_EVT_RAWARG, ENG_FT_DYN, ENG_FF_ARG_NAME | ENG_FF_ARG_REQUIRED,
	 "one of the event arguments specified by name, as a raw value. E.g. 'evt.rawarg.fd'."},
	{"evt.res", F_EVT_RES, ENG_FT_STR, 0,
	 "event return value, as a string: 'SUCCESS', or the error code (e.g. 'ENOENT')."},
	{"evt.rawres", F_EVT_RAWRES, ENG_FT_INT64, 0,
	 "event return value, as a number (e.g. -2)."},
	{"evt.failed", F_EVT_FAILED, ENG_FT_BOOL, 0,
	 "'true' for events that returned an error status."},
	{"evt.is_open_read", F_EVT_IS_OPEN_READ, ENG_FT_BOOL, 0,
	 "'true' for open/openat/openat2 events where the path was opened for reading."},
	{"evt.is_open_write", F_EVT_IS_OPEN_WRITE, ENG_FT_BOOL, 0,
	 "'true' for open/openat/openat2 events where the path was opened for writing."},
	{"evt.is_open_exec", F_EVT_IS_OPEN_EXEC, ENG_FT_BOOL, 0,
	 "'true' for open/openat/openat2 or creat events where a file is created with execute "
	 "permissions."},
	{"evt.category", F_EVT_CATEGORY, ENG_FT_STR, 0,
	 "the event category, e.g. 'file', 'net', 'process'."},
	{"evt.count", F_EVT_COUNT, ENG_FT_UINT32, 0, "always 1."},
	{"evt.latency", F_EVT_LATENCY, ENG_FT_RELTIME, 0,
	 "delta between an exit event and the correspondent enter event, in nanoseconds."},
	{"evt.is_io", F_EVT_IS_IO, ENG_FT_BOOL, 0,
	 "'true' for events that read or write to FDs, like read(), send, recvfrom(), etc."},
	{"evt.is_io_read", F_EVT_IS_IO_READ, ENG_FT_BOOL, 0,
	 "'true' for events that read from FDs, like read(), recv(), recvfrom(), etc."},
	{"evt.is_io_write", F_EVT_IS_IO_WRITE, ENG_FT_BOOL, 0,
	 "'true' for events that write to FDs, like write(), send(), etc."},
	{"evt.is_wait", F_EVT_IS_WAIT, ENG_FT_BOOL, 0,
	 "'true' for events that make the thread wait, e.g. sleep(), select(), poll()."},
	{"proc.pid", F_PROC_PID, ENG_FT_INT64, 0, "the id of the process generating the event."},
	{"proc.exe", F_PROC_EXE, ENG_FT_STR, 0,
	 "the first command line argument (usually the executable name or a custom one)."},
	{"proc.name", F_PROC_NAME, ENG_FT_STR, 0,
	 "the name (excluding the path) of the executable generating the event."},
	{"proc.args", F_PROC_ARGS, ENG_FT_STR, 0,
	 "the arguments passed on the command line when starting the process."},
	{"proc.cmdline", F_PROC_CMDLINE, ENG_FT_STR, 0,
	 "full process command line, i.e. proc.name + proc.args."},
	{"proc.exeline", F_PROC_EXELINE, ENG_FT_STR, 0,
	 "full process command line, with exe as first argument, i.e. proc.exe + proc.args."},
	{"proc.cwd", F_PROC_CWD, ENG_FT_STR, 0, "the current working directory of the event."},
	{"proc.ppid", F_PROC_PPID, ENG_FT_INT64, 0,
	 "the pid of the parent of the process generating the event."},
	{"proc.pname", F_PROC_PNAME, ENG_FT_STR, 0,
	 "the name (excluding the path) of the parent of the process generating the event."},
	{"proc.pcmdline", F_PROC_PCMDLINE, ENG_FT_STR, 0,
	 "the full command line (proc.name + proc.args) of the parent of the process."},
	{"proc.apid", F_PROC_APID, ENG_FT_INT64, ENG_FF_ARG_INDEX,
	 "the pid of one of the process ancestors: proc.apid[1] is the parent, [2] the "
	 "grandparent... Without an index (filters only) it matches any ancestor."},
	{"proc.aname", F_PROC_ANAME, ENG_FT_STR, ENG_FF_ARG_INDEX,
	 "the name of one of the process ancestors: proc.aname[1] is the parent, [2] the "
	 "grandparent... Without an index (filters only) it matches any ancestor."},
	{"proc.exepath", F_PROC_EXEPATH, ENG_FT_STR, 0, "The full executable path of the process."},
	{"proc.sid", F_PROC_SID, ENG_FT_INT64, 0, "the session id of the process."},
	{"proc.vpgid", F_PROC_VPGID, ENG_FT_INT64, 0,
	 "the process group id of the process, as seen from its current PID namespace."},
	{"proc.tty", F_PROC_TTY, ENG_FT_INT64, 0,
	 "The controlling terminal of the process. 0 for processes without a terminal."},
	{"proc.vpid", F_PROC_VPID, ENG_FT_INT64, 0,
	 "the id of the process as seen from its current PID namespace."},
	{"proc.nthreads", F_PROC_NTHREADS, ENG_FT_UINT32, 0,
	 "the number of threads that the process currently has, including the main one."},
	{"proc.duration", F_PROC_DURATION, ENG_FT_RELTIME, 0,
	 "number of nanoseconds since the process started."},
	{"proc.sname", F_PROC_SNAME, ENG_FT_STR, 0,
	 "the name of the current process's session leader: the ancestor whose pid is the "
	 "session id, or the eldest ancestor with the same session id."},
	{"proc.pexe", F_PROC_PEXE, ENG_FT_STR, 0, "the proc.exe of the parent process."},
	{"proc.pexepath", F_PROC_PEXEPATH, ENG_FT_STR, 0, "the proc.exepath of the parent process."},
	{"proc.aexe", F_PROC_AEXE, ENG_FT_STR, ENG_FF_ARG_INDEX,
	 "the proc.exe of an ancestor: proc.aexe[1] is the parent's... Without an index "
	 "(filters only) it matches any ancestor."},
	{"proc.aexepath", F_PROC_AEXEPATH, ENG_FT_STR, ENG_FF_ARG_INDEX,
	 "the proc.exepath of an ancestor: proc.aexepath[1] is the parent's... Without an index "
	 "(filters only) it matches any ancestor."},
	{"proc.acmdline", F_PROC_ACMDLINE, ENG_FT_STR, ENG_FF_ARG_INDEX,
	 "the proc.cmdline of an ancestor: proc.acmdline[1] is the parent's, [0] the process' "
	 "own. Without an index it matches any ancestor in filters, and is the ancestors' "
	 "command lines, space-separated, in outputs."},
	{"proc.is_exe_writable", F_PROC_IS_EXE_WRITABLE, ENG_FT_BOOL, 0,
	 "true if this process' executable file is writable by the same user that spawned it."},
	{"proc.vpgid.name", F_PROC_VPGID_NAME, ENG_FT_STR, 0,
	 "the name of the process group leader of the process generating the event."},
	{"proc.vpgid.exe", F_PROC_VPGID_EXE, ENG_FT_STR, 0,
	 "the proc.exe of the process group leader of the process generating the event."},
	{"proc.is_vpgid_leader", F_PROC_IS_VPGID_LEADER, ENG_FT_BOOL, 0,
	 "true if this process is the leader of its process group."},
	{"thread.tid", F_THREAD_TID, ENG_FT_INT64, 0, "the id of the thread generating the event."},
	{"thread.ismain", F_THREAD_ISMAIN, ENG_FT_BOOL, 0,
	 "'true' if the thread generating the event is the main one in the process."},
	{"thread.vtid", F_THREAD_VTID, ENG_FT_INT64, 0,
	 "the id of the thread as seen from its current PID namespace."},
	{"fd.num", F_FD_NUM, ENG_FT_INT64, 0, "the unique number identifying the file descriptor."},
	{"fd.type", F_FD_TYPE, ENG_FT_STR, 0,
	 "type of FD: 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', "
	 "'eventpoll', 'inotify', 'timerfd' or 'netlink'."},
	{"fd.typechar", F_FD_TYPECHAR, ENG_FT_STR, 0,
	 "type of FD as a single character: 'f' file, '4' IPv4 socket, '6' IPv6 socket, 'u' unix "
	 "socket, 'p' pipe, 'e' eventfd, 's' signalfd, 'l' eventpoll, 'i' inotify, 'o' unknown."},
	{"fd.name", F_FD_NAME, ENG_FT_STR, 0,
	 "FD full name: the full path for files, the connection tuple for sockets."},
	{"fd.directory", F_FD_DIRECTORY, ENG_FT_STR, 0,
	 "If the fd is a file, the directory that contains it."},
	{"fd.filename", F_FD_FILENAME, ENG_FT_STR, 0,
	 "If the fd is a file, the filename without the path."},
	{"fd.ip", F_FD_IP, ENG_FT_IPADDR, ENG_FF_FILTER_ONLY | ENG_FF_TWO_SIDED,
	 "(FILTER ONLY) matches the ip address (client or server) of the fd."},
	{"fd.lip", F_FD_LIP, ENG_FT_IPADDR, 0, "local IP address."},
	{"fd.rip", F_FD_RIP, ENG_FT_IPADDR, 0, "remote IP address."},
	{"fd.net", F_FD_NET, ENG_FT_IPADDR, ENG_FF_FILTER_ONLY | ENG_FF_TWO_SIDED,
	 "(FILTER ONLY) matches the IP network (client or server) of the fd, e.g. 10.0.0.0/8."},
	{"fd.cnet", F_FD_CNET, ENG_FT_IPADDR, ENG_FF_FILTER_ONLY,
	 "(FILTER ONLY) matches the client IP network of the fd."},
	{"fd.snet", F_FD_SNET, ENG_FT_IPADDR, ENG_FF_FILTER_ONLY,
	 "(FILTER ONLY) matches the server IP network of the fd."},
	{"fd.lnet", F_FD_LNET, ENG_FT_IPADDR, ENG_FF_FILTER_ONLY,
	 "(FILTER ONLY) matches the local IP network of the fd."},
	{"fd.rnet", F_FD_RNET, ENG_FT_IPADDR, ENG_FF_FILTER_ONLY,
	 "(FILTER ONLY) matches the remote IP network of the fd."},
	{"fd.cip", F_FD_CIP, ENG_FT_IPADDR, 0, "client IP address."},
	{"fd.sip", F_FD_SIP, ENG_FT_IPADDR, 0, "server IP address."},
	{"fd.port", F_FD_PORT, ENG_FT_PORT, ENG_FF_FILTER_ONLY | ENG_FF_TWO_SIDED,
	 "(FILTER ONLY) matches the port (either client or server) of the fd."},
	{"fd.cport", F_FD_CPORT, ENG_FT_PORT, 0, "for TCP/UDP FDs, the client port."},
	{"fd.sport", F_FD_SPORT, ENG_FT_PORT, 0, "for TCP/UDP FDs, server port."},
	{"fd.lport", F_FD_LPORT, ENG_FT_PORT, 0, "for TCP/UDP FDs, the local port."},
	{"fd.rport", F_FD_RPORT, ENG_FT_PORT, 0, "for TCP/UDP FDs, the remote port."},
	{"fd.connected", F_FD_CONNECTED, ENG_FT_BOOL, 0,
	 "for TCP/UDP FDs, 'true' if the socket is connected."},
	{"fd.name_changed", F_FD_NAME_CHANGED, ENG_FT_BOOL, 0,
	 "True when an event changes the name of an fd used by this event (e.g. connect)."},
	{"fd.l4proto", F_FD_L4PROTO, ENG_FT_STR, 0,
	 "the IP protocol of a socket. Can be 'tcp', 'udp', 'icmp' or 'raw'."},
	{"fd.sockfamily", F_FD_SOCKFAMILY, ENG_FT_STR, 0,
	 "the socket family for socket events. Can be 'ip' or 'unix'."},
	{"fd.is_server", F_FD_IS_SERVER, ENG_FT_BOOL, 0,
	 "'true' if the process owning this FD is the server endpoint in the connection."},
	{"user.uid", F_USER_UID, ENG_FT_UINT32, 0, "user ID."},
	{"user.name", F_USER_NAME, ENG_FT_STR, 0, "user name."},
	{"user.homedir", F_USER_HOMEDIR, ENG_FT_STR, 0, "home directory of the user."},
	{"user.shell", F_USER_SHELL, ENG_FT_STR, 0, "user's shell."},
	{"user.loginuid", F_USER_LOGINUID, ENG_FT_INT64, 0, "audit user id (auid)."},
	{"user.loginname", F_USER_LOGINNAME, ENG_FT_STR, 0, "audit user name (auid)."},
	{"group.gid", F_GROUP_GID, ENG_FT_UINT64, 0, "group ID."},
	{"group.name", F_GROUP_NAME, ENG_FT_STR, 0, "group name."},
	{"container.id", F_CONTAINER_ID, ENG_FT_STR, 0,
	 "the container id, from the cgroups as sysdig reads them (docker ids cut to 12 "
	 "characters), or the traced tree's (pdig --container-id); 'host' outside containers."},
	{"container.name", F_CONTAINER_NAME, ENG_FT_STR, 0,
	 "the container name: 'host' outside containers; not available when no container event "
	 "named it (lxc, libvirt-lxc, mesos and bpm containers are named by their id)."},
	{"container.type", F_CONTAINER_TYPE, ENG_FT_STR, 0,
	 "the container type, e.g. docker, lxc, cri-o; 'host' outside containers; not available "
	 "for cri-o and containerd ids that no container event described."},
	{"container.image.id", F_CONTAINER_IMAGE_ID, ENG_FT_STR, 0,
	 "the container image id (e.g. 6f7e2741b66b), from container events; not available "
	 "outside containers."},
	{"container.image.digest", F_CONTAINER_IMAGE_DIGEST, ENG_FT_STR, 0,
	 "the container image registry digest, from container events; not available outside "
	 "containers."},
	{"evt.hostname", F_EVT_HOSTNAME, ENG_FT_STR, 0,
	 "the name of the machine the event comes from (from the capture)."},
	{"evt.buffer", F_EVT_BUFFER, ENG_FT_BYTEBUF, 0,
	 "the binary data buffer for events that have one, like read(), recvfrom(), etc. Use this "
	 "field in filters with 'contains' to search into I/O data buffers."},
	{"evt.asynctype", F_EVT_ASYNCTYPE, ENG_FT_STR, 0,
	 "for asynchronous events (not caused by a syscall, e.g. container metadata), the type of "
	 "the event; not available for the others."},
	{"thread.ustack", F_THREAD_USTACK, ENG_FT_STR, 0,
	 "the user-space stack of the thread at the call (pdig --stack), innermost frame first, "
	 "frames separated by '; '; not available for other calls."},
	{"proc.env", F_PROC_ENV, ENG_FT_STR, ENG_FF_ARG_NAME | ENG_FF_ARG_INDEX,
	 "the environment variables of the process generating the event; proc.env[NAME] is the "
	 "value of one of them."},
	{"proc.is_entrypoint", F_PROC_IS_ENTRYPOINT, ENG_FT_BOOL, 0,
	 "true for the root of the traced tree: the program pdig started or attached to (its "
	 "process made events, its parent, the tracer, made none). pdig's own field."},
	{"evt.abi", F_EVT_ABI, ENG_FT_STR, 0,
	 "the system call entry the call came through: x86_64, i386 (int 0x80, the 32-bit "
	 "entry a 64-bit program can still use) or x32; pdig maps 32-bit calls onto the "
	 "64-bit events and says so in an extension of the event. pdig's own field."},
	{"evt.is_compat32", F_EVT_IS_COMPAT32, ENG_FT_BOOL, 0,
	 "true for a call made through a 32-bit entry (i386 or x32: evt.abi), a known way "
	 "around filters and tracers that only look at 64-bit calls. pdig's own field."},
	{"evt.target_traced", F_EVT_TARGET_TRACED, ENG_FT_BOOL, 0,
	 "for kill, tkill and tgkill: true when the process signalled is in the traced tree, "
	 "false when it is outside it (the tracer, its ancestors; pid -1: every process); a "
	 "process group answers for its leader. pdig's own field."},
	{"proc.is_exe_from_memfd", F_PROC_IS_EXE_FROM_MEMFD, ENG_FT_BOOL, 0,
	 "true if the executable of the process is an anonymous file created with memfd_create() "
	 "(execve's flag, a memfd: path, or an execve of /proc/self/fd/N whose fd is a memfd or "
	 "was made by a syscall the events do not decode)."},
	{"proc.is_exe_upper_layer", F_PROC_IS_EXE_UPPER_LAYER, ENG_FT_BOOL, 0,
	 "true if the executable of the process is in the upper layer of an overlayfs (e.g. a file "
	 "written in a container): true when execve's flags say so, else not available (the "
	 "event versions pdig writes do not carry it)."},
	{"thread.cap_permitted", F_THREAD_CAP_PERMITTED, ENG_FT_STR, 0,
	 "the permitted capabilities set; not available: these event versions do not carry it."},
	{"thread.cap_inheritable", F_THREAD_CAP_INHERITABLE, ENG_FT_STR, 0,
	 "the inheritable capabilities set; not available: these event versions do not carry it."},
	{"thread.cap_effective", F_THREAD_CAP_EFFECTIVE, ENG_FT_STR, 0,
	 "the effective capabilities set; not available: these event versions do not carry it."},
	{"fd.nameraw", F_FD_NAMERAW, ENG_FT_STR, 0,
	 "FD full name raw: like fd.name, but for a file opened by this event the path as the "
	 "program gave it (not made absolute, '..' kept)."},
	{"fd.cip.name", F_FD_CIP_NAME, ENG_FT_STR, 0,
	 "Domain name associated with the client IP address (not available: no name resolution)."},
	{"fd.sip.name", F_FD_SIP_NAME, ENG_FT_STR, 0,
	 "Domain name associated with the server IP address (not available: no name resolution)."},
	{"fd.lip.name", F_FD_LIP_NAME, ENG_FT_STR, 0,
	 "Domain name associated with the local IP address (not available: no name resolution)."},
	{"fd.rip.name", F_FD_RIP_NAME, ENG_FT_STR, 0,
	 "Domain name associated with the remote IP address (not available: no name resolution)."},
	{"container.image", F_CONTAINER_IMAGE, ENG_FT_STR, 0,
	 "the container image name (e.g. falcosecurity/falco:latest for docker); not available "
	 "outside containers."},
	{"container.image.repository", F_CONTAINER_IMAGE_REPOSITORY, ENG_FT_STR, 0,
	 "the container image repository (e.g. falcosecurity/falco); not available outside "
	 "containers."},
	{"container.image.tag", F_CONTAINER_IMAGE_TAG, ENG_FT_STR, 0,
	 "the container image tag (e.g. stable, latest); not available outside containers."},
	{"container.privileged", F_CONTAINER_PRIVILEGED, ENG_FT_BOOL, 0,
	 "true for containers running as privileged, false otherwise; not available outside "
	 "containers."},
	{"container.mount.dest", F_CONTAINER_MOUNT_DEST, ENG_FT_STR,
	 ENG_FF_ARG_NAME | ENG_FF_ARG_INDEX,
	 "the mount destination, specified by number (e.g. container.mount.dest[0]) or mount source "
	 "(container.mount.dest[/lib/modules]); not available outside containers."},
	{"container.mounts", F_CONTAINER_MOUNTS, ENG_FT_STR, 0,
	 "a space-separated list of mount information, each <source>:<dest>:<mode>:<rdrw>:"
	 "<propagation>; not available outside containers."},
	{"container.start_ts", F_CONTAINER_START_TS, ENG_FT_ABSTIME, 0,
	 "the container start time, in nanoseconds since the epoch; not available outside "
	 "containers."},
	{"proc.exe_ino", F_PROC_EXE_INO, ENG_FT_INT64, 0,
	 "the inode number of the executable file on disk; not available: these event versions do "
	 "not carry it."},
	{"proc.exe_ino.ctime", F_PROC_EXE_INO_CTIME, ENG_FT_ABSTIME, 0,
	 "the last status change time of the executable file; not available: these event versions "
	 "do not carry it."},
	{"proc.exe_ino.mtime", F_PROC_EXE_INO_MTIME, ENG_FT_ABSTIME, 0,
	 "the last modification time of the executable file; not available: these event versions "
	 "do not carry it."},
	{"proc.exe_ino.ctime_duration_proc_start", F_PROC_EXE_INO_CTIME_DUR, ENG_FT_ABSTIME, 0,
	 "nanoseconds between the executable file's last status change and the process start; not "
	 "available: these event versions do not carry it."},
	{"k8s.ns.name", F_K8S_NS_NAME, ENG_FT_STR, 0,
	 "Kubernetes namespace name, from the container's io.kubernetes.pod.namespace label "
	 "(pdig-trace sets it from $POD_NAMESPACE)."},
	{"k8s.pod.name", F_K8S_POD_NAME, ENG_FT_STR, 0,
	 "Kubernetes pod name, from the container's io.kubernetes.pod.name label (pdig-trace "
	 "sets it from $POD_NAME)."},
	{NULL, 0, 0, 0, NULL},
};

int eng_ftype_is_numeric(enum eng_ftype t)
{
	return t == ENG_FT_INT64 || t == ENG_FT_UINT64 || t == ENG_FT_UINT32 ||
	       t == ENG_FT_PORT || t == ENG_FT_ABSTIME || t == ENG_FT_RELTIME || t == ENG_FT_BOOL;
}

const char *eng_ftype_name(enum eng_ftype t)
{
	switch (t) {
	case ENG_FT_STR: return "CHARBUF";
	case ENG_FT_INT64: return "INT64";
	case ENG_FT_UINT64: return "UINT64";
	case ENG_FT_UINT32: return "UINT32";
	case ENG_FT_BOOL: return "BOOL";
	case ENG_FT_IPADDR: return "IPADDR";
	case ENG_FT_PORT: return "PORT";
	case ENG_FT_ABSTIME: return "ABSTIME";
	case ENG_FT_RELTIME: return "RELTIME";
	case ENG_FT_DYN: return "DYNAMIC";
	case ENG_FT_BYTEBUF: return "BYTEBUF";
	}
	return "?";
}

static const struct eng_field_info *lookup(const char *name, size_t len)
{
	for (const struct eng_field_info *f = eng_fields; f->name; f++)
		if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

/* The type a raw parameter value has, from the first event that has it. */
static enum eng_ftype rawarg_type(const char *name)
{
	for (unsigned t = 0; t < SHM_EVENT_MAX; t++) {
		int i = shm_evt_param_index((uint16_t)t, name);
		if (i < 0)
			continue;
		switch (shm_event_table[t].params[i].type) {
		case SHM_PT_INT8: case SHM_PT_INT16: case SHM_PT_INT32: case SHM_PT_INT64:
		case SHM_PT_ERRNO: case SHM_PT_FD: case SHM_PT_PID:
			return ENG_FT_INT64;
		case SHM_PT_UINT8: case SHM_PT_UINT16: case SHM_PT_UINT32: case SHM_PT_UINT64:
		case SHM_PT_FLAGS8: case SHM_PT_FLAGS16: case SHM_PT_FLAGS32: case SHM_PT_UID:
		case SHM_PT_GID: case SHM_PT_MODE: case SHM_PT_SYSCALLID: case SHM_PT_SIGTYPE:
		case SHM_PT_L4PROTO: case SHM_PT_SOCKFAMILY: case SHM_PT_BOOL:
			return ENG_FT_UINT64;
		case SHM_PT_RELTIME: return ENG_FT_RELTIME;
		case SHM_PT_ABSTIME: return ENG_FT_ABSTIME;
		case SHM_PT_PORT: return ENG_FT_PORT;
		default:
			return ENG_FT_STR;
		}
	}
	return ENG_FT_STR;
}

void eng_fieldref_clear(struct eng_fieldref *ref)
{
	free(ref->arg);
	ref->arg = NULL;
	ref->info = NULL;
}

static int set_err(char *why, size_t whylen, int rc, const char *fmt, const char *a)
{
	if (why && whylen)
		snprintf(why, whylen, fmt, a);
	return rc;
}

static int bind_arg(struct eng_fieldref *ref, const char *arg, int by_index, char *why,
		    size_t whylen)
{
	const struct eng_field_info *f = ref->info;
	ref->argn = -1;
	ref->argmode = 0;
	if (!arg) {
		if (f->flags & ENG_FF_ARG_REQUIRED)
			return set_err(why, whylen, -EINVAL, "field '%s' requires an argument", f->name);
		return 0;
	}
	if (!(ref->arg = strdup(arg)))
		return -ENOMEM;
	char *end;
	long long n = strtoll(arg, &end, 10);
	int numeric = *arg && *end == 0 && n >= 0;
	if ((f->flags & ENG_FF_ARG_INDEX) && numeric && by_index) {
		ref->argn = n;
		ref->argmode = 2;
	} else if ((f->flags & ENG_FF_ARG_NAME)) {
		ref->argmode = 1;
		if (f->id == F_EVT_RAWARG)
			ref->type = rawarg_type(arg);
	} else {
		eng_fieldref_clear(ref);
		return set_err(why, whylen, -EINVAL, "field '%s': bad argument", f->name);
	}
	return 0;
}

int eng_field_resolve(struct eng_fieldref *ref, const char *name, const char *arg, char *why,
		      size_t whylen)
{
	memset(ref, 0, sizeof(*ref) - sizeof(ref->buf));
	ref->buf[0] = 0;
	const struct eng_field_info *f = lookup(name, strlen(name));
	const char *dotarg = NULL;
	if (!f) {
		/* evt.arg.NAME: the longest known prefix that takes a named argument */
		const char *dot = strrchr(name, '.');
		while (dot && dot > name) {
			const struct eng_field_info *g = lookup(name, (size_t)(dot - name));
			if (g && (g->flags & ENG_FF_ARG_NAME)) {
				f = g;
				dotarg = dot + 1;
				break;
			}
			const char *p = dot - 1;
			while (p > name && *p != '.')
				p--;
			dot = (*p == '.') ? p : NULL;
		}
	}
	if (!f)
		return set_err(why, whylen, -ENOENT, "unknown field '%s'", name);
	if (dotarg && arg)
		return set_err(why, whylen, -EINVAL, "field '%s' has two arguments", name);
	ref->info = f;
	ref->type = f->type;
	return bind_arg(ref, dotarg ? dotarg : arg, dotarg == NULL, why, whylen);
}

int eng_field_scan(struct eng_fieldref *ref, const char *s, char *why, size_t whylen)
{
	size_t run = 0;
	while (isalnum((unsigned char)s[run]) || s[run] == '_' || s[run] == '.')
		run++;
	const struct eng_field_info *best = NULL;
	size_t bestlen = 0;
	for (const struct eng_field_info *f = eng_fields; f->name; f++) {
		size_t n = strlen(f->name);
		/* like sysdig, the longest known name wins, whatever follows it
		 * ("%proc.nameand" is proc.name then "and") */
		if (n > run || n <= bestlen || strncmp(s, f->name, n) != 0)
			continue;
		best = f;
		bestlen = n;
	}
	if (!best)
		return 0;
	memset(ref, 0, sizeof(*ref) - sizeof(ref->buf));
	ref->info = best;
	ref->type = best->type;
	size_t used = bestlen;
	char arg[256];
	int rc;
	if (s[used] == '.' && (best->flags & ENG_FF_ARG_NAME)) {
		size_t k = used + 1;
		while (isalnum((unsigned char)s[k]) || s[k] == '_')
			k++;
		snprintf(arg, sizeof(arg), "%.*s", (int)(k - used - 1), s + used + 1);
		used = k;
		rc = bind_arg(ref, arg, 0, why, whylen);
	} else if (s[used] == '[' && (best->flags & (ENG_FF_ARG_INDEX | ENG_FF_ARG_NAME))) {
		const char *close = strchr(s + used, ']');
		if (!close)
			return set_err(why, whylen, -EINVAL, "missing ']' after '%s['", best->name);
		snprintf(arg, sizeof(arg), "%.*s", (int)(close - s - used - 1), s + used + 1);
		used = (size_t)(close - s) + 1;
		rc = bind_arg(ref, arg, 1, why, whylen);
	} else {
		rc = bind_arg(ref, NULL, 0, why, whylen);
	}
	return rc ? rc : (int)used;
}

/* Writes v in decimal ending just before end; returns the first digit. */
static char *dec_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* evt.* first, then what is known without the thread, then the thread's
 * own classes. */
int eng_field_extract(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	const struct eng_event *ev = c->ev;
	const struct shm_evt *e = &ev->evt;
	struct eng_thread *t = ev->thread;
	int id = ref->info->id;

	if (id <= F_EVT_IS_WAIT || id == F_EVT_HOSTNAME || id == F_EVT_BUFFER ||
	    id == F_EVT_ASYNCTYPE || id == F_EVT_TARGET_TRACED || id == F_EVT_ABI ||
	    id == F_EVT_IS_COMPAT32)
		return fields_extract_evt(ref, c, v);
	if (id > F_NA_FIRST)
		return NA; /* container, k8s, capabilities, DNS names: never known here */
	if (id >= F_FD_NUM && id <= F_FD_IS_SERVER)
		return fields_extract_fd(ref, c, v);
	if (id == F_FD_NAMERAW)
		return fields_extract_nameraw(c, v);
	if (id == F_THREAD_TID)
		return num(v, (int64_t)e->tid); /* the header says it, known thread or not */
	if (id == F_THREAD_USTACK)
		return fields_extract_stack(c, v);
	if (!t)
		return NA;
	if (t->placeholder && id != F_THREAD_TID)
		return NA;
	switch (id) {
	case F_USER_UID:
	case F_USER_NAME:
	case F_USER_HOMEDIR:
	case F_USER_SHELL:
	case F_USER_LOGINUID:
	case F_USER_LOGINNAME:
	case F_GROUP_GID:
	case F_GROUP_NAME:
		return fields_extract_user(c, t, id, v);
	case F_CONTAINER_ID:
	case F_CONTAINER_NAME:
	case F_CONTAINER_TYPE:
	case F_CONTAINER_IMAGE:
	case F_CONTAINER_IMAGE_ID:
	case F_CONTAINER_IMAGE_REPOSITORY:
	case F_CONTAINER_IMAGE_TAG:
	case F_CONTAINER_IMAGE_DIGEST:
	case F_CONTAINER_PRIVILEGED:
	case F_K8S_NS_NAME:
	case F_K8S_POD_NAME:
		return fields_extract_container(c, t, id, v);
	}
	return fields_extract_proc(ref, c, t, id, v);
}

const char *eng_value_str(const struct eng_fieldref *ref, const struct eng_value *v, char *out,
			  size_t cap)
{
	switch (ref->type) {
	case ENG_FT_STR:
	case ENG_FT_DYN:
		if (v->s)
			return v->s;
		/* a DYN that came back as a number */
		snprintf(out, cap, "%" PRId64, v->n);
		return out;
	case ENG_FT_BYTEBUF: {
		/* printable bytes as they are, the others as '.', as sysdig shows data */
		size_t n = v->len < cap - 1 ? v->len : cap - 1;
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)v->s[i];
			out[i] = isprint(ch) ? (char)ch : '.';
		}
		out[n] = 0;
		return out;
	}
	case ENG_FT_BOOL:
		return v->n ? "true" : "false";
	case ENG_FT_IPADDR:
		inet_ntop(v->len == 16 ? AF_INET6 : AF_INET, v->ip, out, (socklen_t)cap);
		return out;
	case ENG_FT_INT64:
	default: {
		/* by hand: snprintf costs several times more, once per number */
		char tmp[24], *end = tmp + sizeof(tmp);
		int neg = ref->type == ENG_FT_INT64 && v->n < 0;
		char *p = dec_u64(end, neg ? 0 - (uint64_t)v->n : (uint64_t)v->n);
		if (neg)
			*--p = '-';
		size_t n = (size_t)(end - p);
		if (n >= cap)
			n = cap ? cap - 1 : 0;
		if (cap) {
			memcpy(out, p, n);
			out[n] = 0;
		}
		return out;
	}
	}
}
