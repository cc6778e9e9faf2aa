/* The field table and extraction (see eng_fields.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eng_fields.h"
#include "shm_ppm_sc.h"
#include "shm_format.h"

enum fid {
	F_EVT_NUM = 1, F_EVT_TIME, F_EVT_TIME_S, F_EVT_DATETIME, F_EVT_RAWTIME, F_EVT_RAWTIME_S,
	F_EVT_RAWTIME_NS, F_EVT_RELTIME, F_EVT_DIR, F_EVT_TYPE, F_EVT_CPU, F_EVT_ARGS, F_EVT_INFO,
	F_EVT_ARG, F_EVT_RAWARG, F_EVT_RES, F_EVT_RAWRES, F_EVT_FAILED, F_EVT_IS_OPEN_READ,
	F_EVT_IS_OPEN_WRITE, F_EVT_IS_OPEN_EXEC, F_EVT_CATEGORY, F_EVT_COUNT, F_EVT_LATENCY,
	F_EVT_IS_IO, F_EVT_IS_IO_READ, F_EVT_IS_IO_WRITE, F_EVT_IS_WAIT,
	F_PROC_PID, F_PROC_EXE, F_PROC_NAME, F_PROC_ARGS, F_PROC_CMDLINE, F_PROC_EXELINE,
	F_PROC_CWD, F_PROC_PPID, F_PROC_PNAME, F_PROC_PCMDLINE, F_PROC_APID, F_PROC_ANAME,
	F_PROC_EXEPATH, F_PROC_SID, F_PROC_VPGID, F_PROC_TTY, F_PROC_VPID, F_PROC_NTHREADS,
	F_PROC_DURATION, F_PROC_SNAME, F_PROC_PEXE, F_PROC_PEXEPATH, F_PROC_AEXE, F_PROC_AEXEPATH, F_PROC_ACMDLINE,
	F_PROC_IS_EXE_WRITABLE, F_PROC_VPGID_NAME, F_PROC_VPGID_EXE, F_PROC_IS_VPGID_LEADER,
	F_THREAD_TID, F_THREAD_ISMAIN, F_THREAD_VTID,
	F_FD_NUM, F_FD_TYPE, F_FD_TYPECHAR, F_FD_NAME, F_FD_DIRECTORY, F_FD_FILENAME, F_FD_IP,
	F_FD_CIP, F_FD_SIP, F_FD_LIP, F_FD_RIP, F_FD_NET, F_FD_CNET, F_FD_SNET, F_FD_PORT,
	F_FD_LPORT, F_FD_RPORT, F_FD_CONNECTED, F_FD_NAME_CHANGED, F_FD_CPORT, F_FD_SPORT, F_FD_L4PROTO, F_FD_SOCKFAMILY,
	F_FD_LNET, F_FD_RNET, F_FD_IS_SERVER,
	F_USER_UID, F_USER_NAME, F_USER_HOMEDIR, F_USER_SHELL, F_USER_LOGINUID, F_USER_LOGINNAME,
	F_GROUP_GID, F_GROUP_NAME,
	F_CONTAINER_ID, F_CONTAINER_NAME, F_EVT_HOSTNAME,
	F_CONTAINER_TYPE, F_CONTAINER_IMAGE, F_CONTAINER_IMAGE_ID, F_CONTAINER_IMAGE_REPOSITORY,
	F_CONTAINER_IMAGE_TAG, F_CONTAINER_IMAGE_DIGEST, F_CONTAINER_PRIVILEGED,
	F_K8S_NS_NAME, F_K8S_POD_NAME,
	/* fields Falco's rules use that need no new state, or that this engine
	 * cannot know (always not available) */
	F_PROC_IS_EXE_FROM_MEMFD, F_PROC_IS_EXE_UPPER_LAYER, F_PROC_ENV, F_FD_NAMERAW,
	F_EVT_BUFFER, F_EVT_ASYNCTYPE,
	F_NA_FIRST, /* from here on: never available */
	F_THREAD_CAP_PERMITTED, F_THREAD_CAP_INHERITABLE, F_THREAD_CAP_EFFECTIVE,
	F_CONTAINER_MOUNT_DEST, F_FD_CIP_NAME, F_FD_SIP_NAME, F_FD_LIP_NAME,
	F_FD_RIP_NAME, F_CONTAINER_MOUNTS, F_CONTAINER_START_TS,
	F_PROC_EXE_INO, F_PROC_EXE_INO_CTIME, F_PROC_EXE_INO_MTIME, F_PROC_EXE_INO_CTIME_DUR,
};

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
	{"proc.env", F_PROC_ENV, ENG_FT_STR, ENG_FF_ARG_NAME | ENG_FF_ARG_INDEX,
	 "the environment variables of the process generating the event; proc.env[NAME] is the "
	 "value of one of them."},
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

/* ---- extraction helpers ---- */

static int fmt_arg_of(const struct eng_ctx *c, const struct shm_evt *e, unsigned i, char *out,
		      size_t cap);

#define NA (-ENOENT)

static int num(struct eng_value *v, int64_t n)
{
	v->n = n;
	v->s = NULL;
	return 0;
}

static int str(struct eng_value *v, const char *s)
{
	if (!s)
		return NA;
	v->s = s;
	v->len = strlen(s);
	return 0;
}

/* "a b c" from NUL-separated args. */
static void join_args(char *out, size_t cap, size_t *pos, const char *args, uint32_t len)
{
	for (uint32_t i = 0; i < len && *pos + 1 < cap;) {
		const char *a = args + i;
		size_t n = strnlen(a, len - i);
		if (*pos && *pos + 1 < cap)
			out[(*pos)++] = ' ';
		size_t k = n < cap - 1 - *pos ? n : cap - 1 - *pos;
		memcpy(out + *pos, a, k);
		*pos += k;
		i += (uint32_t)n + 1;
	}
	out[*pos] = 0;
}

static const char *cmdline(const struct eng_thread *t, int use_exe, char *out, size_t cap)
{
	const char *first = use_exe ? t->exe : t->comm;
	size_t pos = strlen(first);
	if (pos > cap - 1)
		pos = cap - 1;
	memcpy(out, first, pos);
	out[pos] = 0;
	join_args(out, cap, &pos, t->args, t->args_len);
	return out;
}

/* proc.cmdline and the like of thread t into ref->buf, rebuilt only when
 * the ref last built it for another thread or t's command line changed
 * (text_gen is never reused, so one number says both). */
static int thread_text(struct eng_fieldref *ref, const struct eng_ctx *c,
		       const struct eng_thread *t, int id, struct eng_value *v)
{
	if (ref->memo_st != c->st || ref->memo_gen != t->text_gen) {
		if (id == F_PROC_ARGS) {
			size_t pos = 0;
			ref->buf[0] = 0;
			join_args(ref->buf, sizeof(ref->buf), &pos, t->args, t->args_len);
		} else {
			cmdline(t, id == F_PROC_EXELINE, ref->buf, sizeof(ref->buf));
		}
		ref->memo_st = c->st;
		ref->memo_gen = t->text_gen;
		ref->memo_len = strlen(ref->buf);
	}
	v->s = ref->buf;
	v->len = ref->memo_len;
	return 0;
}

/* The return value and whether the event has one (res, or fd for exits
 * of fd-creating events). */
static int event_res(const struct shm_evt *e, int64_t *res)
{
	if (shm_event_is_enter(e->type))
		return 0;
	int i = shm_evt_param_index(e->type, "res");
	if (i < 0 && (e->info->flags & SHM_EF_CREATES_FD))
		i = shm_evt_param_index(e->type, "fd");
	return i >= 0 && shm_evt_get_s64(e, (unsigned)i, res) == 0;
}

static struct eng_thread *ancestor(const struct eng_ctx *c, struct eng_thread *t, int64_t n)
{
	struct eng_thread *a = eng_state_main_thread(c->st, t);
	for (int64_t i = 0; a && i < n; i++)
		a = eng_state_parent(c->st, a);
	return a;
}

/* The ancestors' names (exes, exe paths) from the parent up, separated by
 * spaces; not available when no ancestor is known. */
static int ancestors_list(struct eng_fieldref *ref, const struct eng_ctx *c,
			  struct eng_thread *t, struct eng_value *v)
{
	size_t pos = 0;
	ref->buf[0] = 0;
	for (int64_t k = 1; k < 64; k++) {
		struct eng_thread *a = ancestor(c, t, k);
		if (!a || a->placeholder)
			break;
		char line[1024];
		const char *s = ref->info->id == F_PROC_ANAME ? a->comm
				: ref->info->id == F_PROC_AEXE ? a->exe
				: ref->info->id == F_PROC_ACMDLINE ? cmdline(a, 0, line, sizeof(line))
				: a->exepath;
		int n = snprintf(ref->buf + pos, sizeof(ref->buf) - pos, "%s%s", pos ? " " : "", s);
		if (n < 0 || (size_t)n >= sizeof(ref->buf) - pos)
			break;
		pos += (size_t)n;
	}
	return pos ? str(v, ref->buf) : NA;
}

static int ip_value(struct eng_value *v, const uint32_t *addr, int v6)
{
	v->s = NULL;
	v->len = v6 ? 16 : 4;
	memcpy(v->ip, addr, v->len);
	return 0;
}

static int is_ip_sock(const struct eng_fd *fd)
{
	return fd->type == SHM_SCAP_FD_IPV4_SOCK || fd->type == SHM_SCAP_FD_IPV6_SOCK ||
	       fd->type == SHM_SCAP_FD_IPV4_SERVSOCK || fd->type == SHM_SCAP_FD_IPV6_SERVSOCK;
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

static int extract_fd(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	const struct eng_event *ev = c->ev;
	const struct eng_fd *fd = ev->fd;
	if (!ev->thread ||
	    !(ev->evt.info->flags & (SHM_EF_CREATES_FD | SHM_EF_USES_FD | SHM_EF_DESTROYS_FD)))
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
		int local_src = !is_v6(fd) && eng_state_is_local_ip4(c->st, fd->sip[0]);
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
		return num(v, 0);
	}
	return NA;
}

static const char *category_name(uint16_t cat)
{
	switch (cat) {
	case SHM_EC_OTHER: return "other";
	case SHM_EC_FILE: return "file";
	case SHM_EC_NET: return "net";
	case SHM_EC_IPC: return "IPC";
	case SHM_EC_MEMORY: return "memory";
	case SHM_EC_PROCESS: return "process";
	case SHM_EC_SLEEP: return "sleep";
	case SHM_EC_SYSTEM: return "system";
	case SHM_EC_SIGNAL: return "signal";
	case SHM_EC_USER: return "user";
	case SHM_EC_TIME: return "time";
	case SHM_EC_PROCESSING: return "processing";
	case SHM_EC_IO_READ:
	case SHM_EC_IO_WRITE:
	case SHM_EC_IO_OTHER: return "I/O";
	case SHM_EC_WAIT: return "wait";
	case SHM_EC_SCHEDULER: return "scheduler";
	case SHM_EC_INTERNAL: return "internal";
	default: return "unknown";
	}
}

/* I/O events are filed under what their fd is. */
static const char *io_category(const struct eng_fd *fd)
{
	if (!fd)
		return "unknown";
	switch (fd->type) {
	case SHM_SCAP_FD_FILE:
	case SHM_SCAP_FD_FILE_V2:
	case SHM_SCAP_FD_DIRECTORY:
		return "file";
	case SHM_SCAP_FD_IPV4_SOCK:
	case SHM_SCAP_FD_IPV6_SOCK:
	case SHM_SCAP_FD_IPV4_SERVSOCK:
	case SHM_SCAP_FD_IPV6_SERVSOCK:
		return "net";
	case SHM_SCAP_FD_FIFO:
	case SHM_SCAP_FD_UNIX_SOCK:
	case SHM_SCAP_FD_EVENT:
	case SHM_SCAP_FD_SIGNALFD:
	case SHM_SCAP_FD_INOTIFY:
		return "ipc";
	default:
		return "other";
	}
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

/* The nanoseconds as ".%09u" at p (10 bytes, no NUL). */
static void put_ns(char *p, uint32_t ns)
{
	p[0] = '.';
	for (int i = 9; i >= 1; i--) {
		p[i] = (char)('0' + ns % 10);
		ns /= 10;
	}
}

/* localtime_r and strftime cost more than the rest of a line: events come
 * in time order, so the text of the last second seen is kept, per form. */
static const char *time_str(char *buf, size_t cap, uint64_t ts, int date, int ns)
{
	static _Thread_local struct {
		int valid;
		time_t secs;
		size_t len;
		char text[64];
	} memo[2];
	time_t secs = (time_t)(ts / 1000000000ull);
	if (!memo[date].valid || memo[date].secs != secs) {
		struct tm tm;
		localtime_r(&secs, &tm);
		memo[date].len = strftime(memo[date].text, sizeof(memo[date].text),
					  date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
		memo[date].secs = secs;
		memo[date].valid = 1;
	}
	size_t n = memo[date].len;
	if (n + 11 > cap) /* never with ENG_FIELD_BUF */
		n = 0;
	memcpy(buf, memo[date].text, n);
	if (ns && n + 11 <= cap) {
		put_ns(buf + n, (uint32_t)(ts % 1000000000ull));
		n += 10;
	}
	buf[n] = 0;
	return buf;
}

static int open_flags(const struct shm_evt *e, uint32_t *flags)
{
	unsigned i;
	uint64_t v;
	switch (e->type) {
	case SHM_EV_SYSCALL_OPEN_X: i = SHM_P_OPEN_X_FLAGS; break;
	case SHM_EV_SYSCALL_OPENAT_E: i = SHM_P_OPENAT_E_FLAGS; break;
	case SHM_EV_SYSCALL_OPENAT_2_X: i = SHM_P_OPENAT_2_X_FLAGS; break;
	case SHM_EV_SYSCALL_OPENAT2_X: i = SHM_P_OPENAT2_X_FLAGS; break;
	default: return 0;
	}
	if (shm_evt_get_u64(e, i, &v))
		return 0;
	*flags = (uint32_t)v;
	return 1;
}

static int arg_index(const struct eng_fieldref *ref, const struct shm_evt *e)
{
	if (ref->argmode == 2)
		return ref->argn < e->nparams ? (int)ref->argn : -1;
	return shm_evt_param_index(e->type, ref->arg);
}

/* The event that has parameter ref->arg, and its index: the event itself,
 * or with ENG_CTX_ENTER_ARGS its enter event when an exit lacks it. */
static const struct shm_evt *arg_event(const struct eng_fieldref *ref, const struct eng_ctx *c,
				       int *idx)
{
	const struct shm_evt *e = &c->ev->evt;
	int i = arg_index(ref, e);
	if (i < 0 && (c->flags & ENG_CTX_ENTER_ARGS) && c->ev->enter &&
	    !shm_event_is_enter(e->type)) {
		e = c->ev->enter;
		i = arg_index(ref, e);
	}
	*idx = i;
	return i < 0 ? NULL : e;
}

static int extract_rawarg(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	int i;
	const struct shm_evt *e = arg_event(ref, c, &i);
	if (!e || e->vlen[i] == 0)
		return NA;
	const struct shm_param_info *pi = &e->info->params[i];
	if (ref->type == ENG_FT_STR) {
		char tmp[ENG_FIELD_BUF];
		int n = shm_fmt_value(e, (unsigned)i, tmp, sizeof(tmp));
		if (n < 0 && n != -ENOSPC)
			return NA;
		memcpy(ref->buf, tmp, sizeof(tmp));
		return str(v, ref->buf);
	}
	int64_t s;
	uint64_t u;
	switch (pi->type) {
	case SHM_PT_INT8: case SHM_PT_INT16: case SHM_PT_INT32: case SHM_PT_INT64:
	case SHM_PT_ERRNO: case SHM_PT_FD: case SHM_PT_PID:
		if (shm_evt_get_s64(e, (unsigned)i, &s))
			return NA;
		return num(v, s);
	default:
		if (shm_evt_get_u64(e, (unsigned)i, &u))
			return NA;
		return num(v, (int64_t)u);
	}
}

/* proc.env[NAME]: the value of NAME (proc.env[N]: the Nth entry, whole). */
static int env_value(struct eng_fieldref *ref, const struct eng_thread *m, struct eng_value *v)
{
	size_t nl = strlen(ref->arg);
	int64_t k = 0;
	for (uint32_t i = 0; i < m->env_len; k++) {
		const char *a = m->env + i;
		size_t n = strnlen(a, m->env_len - i);
		if (ref->argmode == 2 ? k == ref->argn
				      : n > nl && a[nl] == '=' && !strncmp(a, ref->arg, nl)) {
			const char *val = ref->argmode == 2 ? a : a + nl + 1;
			size_t len = n - (size_t)(val - a);
			if (len >= sizeof(ref->buf))
				len = sizeof(ref->buf) - 1;
			memcpy(ref->buf, val, len);
			ref->buf[len] = 0;
			return str(v, ref->buf);
		}
		i += (uint32_t)n + 1;
	}
	return NA;
}

/* fd.nameraw: the path an open-like exit was given, as given; for other
 * events the fd's name (the raw path of older opens is not kept). */
static int extract_nameraw(const struct eng_ctx *c, struct eng_value *v)
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

/* container.*: the thread's id (worked out when its cgroups arrived), else
 * the traced tree's; what else is known comes from the container table.
 * As in sysdig, an empty string is not available. */
static int extract_container(const struct eng_ctx *c, const struct eng_thread *t, int id,
			     struct eng_value *v)
{
	const struct eng_containers *cs = c->st->containers;
	const struct eng_container *ct = t->container_id ? eng_containers_find(cs, t->container_id)
							 : eng_containers_tree(cs);
	const char *cid = t->container_id ? t->container_id : ct ? ct->id : NULL;
	if (!cid) /* the host */
		return id == F_CONTAINER_ID || id == F_CONTAINER_NAME || id == F_CONTAINER_TYPE
			       ? str(v, "host")
			       : NA;
	if (id == F_CONTAINER_ID)
		return str(v, cid);
	if (!ct)
		return NA;
	const char *s;
	switch (id) {
	case F_CONTAINER_NAME: s = ct->name; break;
	case F_CONTAINER_TYPE: s = eng_container_type_name(ct->type); break;
	case F_CONTAINER_IMAGE: s = ct->image; break;
	case F_CONTAINER_IMAGE_ID: s = ct->imageid; break;
	case F_CONTAINER_IMAGE_REPOSITORY: s = ct->imagerepo; break;
	case F_CONTAINER_IMAGE_TAG: s = ct->imagetag; break;
	case F_CONTAINER_IMAGE_DIGEST: s = ct->imagedigest; break;
	case F_K8S_NS_NAME: s = ct->k8s_ns; break;
	case F_K8S_POD_NAME: s = ct->k8s_pod; break;
	default: /* F_CONTAINER_PRIVILEGED */
		return eng_container_knows_privileged(ct->type) ? num(v, ct->privileged) : NA;
	}
	return s && s[0] ? str(v, s) : NA;
}

int eng_field_extract(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v)
{
	const struct eng_event *ev = c->ev;
	const struct shm_evt *e = &ev->evt;
	struct eng_thread *t = ev->thread;
	int64_t res;
	uint32_t fl;
	int id = ref->info->id;

	switch (id) {
	case F_EVT_NUM: return num(v, (int64_t)ev->num);
	case F_EVT_TIME: return str(v, time_str(ref->buf, sizeof(ref->buf), e->ts, 0, 1));
	case F_EVT_TIME_S: return str(v, time_str(ref->buf, sizeof(ref->buf), e->ts, 0, 0));
	case F_EVT_DATETIME: return str(v, time_str(ref->buf, sizeof(ref->buf), e->ts, 1, 1));
	case F_EVT_RAWTIME: return num(v, (int64_t)e->ts);
	case F_EVT_RAWTIME_S: return num(v, (int64_t)(e->ts / 1000000000ull));
	case F_EVT_RAWTIME_NS: return num(v, (int64_t)(e->ts % 1000000000ull));
	case F_EVT_RELTIME: return num(v, (int64_t)(e->ts - c->first_ts));
	case F_EVT_DIR: return str(v, shm_event_is_enter(e->type) ? ">" : "<");
	case F_EVT_TYPE:
		if (e->type == SHM_EV_GENERIC_E || e->type == SHM_EV_GENERIC_X) {
			uint64_t sc;
			const char *nm;
			if (shm_evt_get_u64(e, SHM_P_GENERIC_E_ID, &sc) == 0 &&
			    (nm = shm_fmt_syscall_name((uint16_t)sc)))
				return str(v, nm);
		}
		return str(v, e->info->name);
	case F_EVT_CPU: return ev->cpuid == ENG_CPU_UNKNOWN ? NA : num(v, ev->cpuid);
	case F_EVT_ARGS:
	case F_EVT_INFO:
		eng_fmt_args(c, ref->buf, sizeof(ref->buf));
		return str(v, ref->buf);
	case F_EVT_ARG: {
		int i;
		const struct shm_evt *ae = arg_event(ref, c, &i);
		if (!ae)
			return NA;
		fmt_arg_of(c, ae, (unsigned)i, ref->buf, sizeof(ref->buf));
		return str(v, ref->buf);
	}
	case F_EVT_RAWARG: return extract_rawarg(ref, c, v);
	case F_EVT_BUFFER: {
		int i = shm_evt_param_index(e->type, "data");
		if (i < 0 || shm_event_is_enter(e->type) ||
		    e->info->params[i].type != SHM_PT_BYTEBUF)
			return NA;
		size_t n = e->vlen[i] < sizeof(ref->buf) - 1 ? e->vlen[i] : sizeof(ref->buf) - 1;
		memcpy(ref->buf, e->val[i], n);
		ref->buf[n] = 0;
		v->s = ref->buf;
		v->len = n;
		return 0;
	}
	case F_EVT_ASYNCTYPE:
		/* the events no syscall caused */
		switch (e->type) {
		case SHM_EV_CONTAINER_E:
		case SHM_EV_CONTAINER_JSON_E:
		case SHM_EV_CONTAINER_JSON_2_E:
			return str(v, "container");
		case SHM_EV_NOTIFICATION_E:
		case SHM_EV_INFRASTRUCTURE_EVENT_E:
			return str(v, e->info->name);
		default:
			return NA;
		}
	case F_EVT_RES:
		if (!event_res(e, &res))
			return NA;
		if (res >= 0)
			return str(v, "SUCCESS");
		{
			const char *nm = shm_fmt_errno_name(res);
			if (nm)
				return str(v, nm);
			snprintf(ref->buf, sizeof(ref->buf), "%" PRId64, res);
			return str(v, ref->buf);
		}
	case F_EVT_RAWRES: return event_res(e, &res) ? num(v, res) : NA;
	case F_EVT_FAILED: return num(v, event_res(e, &res) && res < 0);
	case F_EVT_IS_OPEN_READ: return num(v, open_flags(e, &fl) && (fl & SHM_PPM_O_RDONLY));
	case F_EVT_IS_OPEN_WRITE: return num(v, open_flags(e, &fl) && (fl & SHM_PPM_O_WRONLY));
	case F_EVT_IS_OPEN_EXEC: {
		/* created (O_CREAT, O_TMPFILE) with an execute bit in the mode */
		int mi = shm_evt_param_index(e->type, "mode");
		int created = e->type == SHM_EV_SYSCALL_CREAT_X || e->type == SHM_EV_SYSCALL_CREAT_E ||
			      (open_flags(e, &fl) && (fl & (SHM_PPM_O_CREAT | SHM_PPM_O_TMPFILE)));
		uint32_t mode = mi >= 0 ? (uint32_t)shm_evt_u64(e, (unsigned)mi, 0) : 0;
		return num(v, created && (mode & 0111));
	}
	case F_EVT_CATEGORY:
		if (e->type == SHM_EV_GENERIC_E || e->type == SHM_EV_GENERIC_X) {
			/* a syscall without its own event: its category from the
			 * driver's syscall table, by the event's ID */
			uint64_t sc64;
			uint16_t sc;
			if (shm_evt_get_u64(e, SHM_P_GENERIC_E_ID, &sc64) < 0 ||
			    (sc = (uint16_t)sc64) >= SHM_PPM_SC_COUNT)
				return str(v, "unknown");
			uint16_t cat = shm_ppm_sc_category[sc];
			/* I/O with no fd to file it under, as libsinsp says */
			if (cat == SHM_EC_IO_READ || cat == SHM_EC_IO_WRITE || cat == SHM_EC_IO_OTHER)
				return str(v, io_category(NULL));
			return str(v, category_name(cat));
		}
		if (e->info->category == SHM_EC_IO_READ || e->info->category == SHM_EC_IO_WRITE ||
		    e->info->category == SHM_EC_IO_OTHER)
			return str(v, io_category(ev->evt_fd));
		return str(v, category_name(e->info->category));
	case F_EVT_COUNT: return num(v, 1);
	case F_EVT_LATENCY: return num(v, (int64_t)ev->latency);
	case F_EVT_IS_IO:
		return num(v, (e->info->flags & (SHM_EF_READS_FROM_FD | SHM_EF_WRITES_TO_FD)) != 0);
	case F_EVT_IS_IO_READ: return num(v, (e->info->flags & SHM_EF_READS_FROM_FD) != 0);
	case F_EVT_IS_IO_WRITE: return num(v, (e->info->flags & SHM_EF_WRITES_TO_FD) != 0);
	case F_EVT_IS_WAIT: return num(v, (e->info->flags & SHM_EF_WAITS) != 0);
	case F_EVT_HOSTNAME: return str(v, c->st->hostname);
	}

	if (id > F_NA_FIRST)
		return NA; /* container, k8s, capabilities, DNS names: never known here */
	if (id >= F_FD_NUM && id <= F_FD_IS_SERVER)
		return extract_fd(ref, c, v);
	if (id == F_FD_NAMERAW)
		return extract_nameraw(c, v);
	if (id == F_THREAD_TID)
		return num(v, (int64_t)e->tid); /* the header says it, known thread or not */
	if (!t)
		return NA;
	if (t->placeholder && id != F_THREAD_TID)
		return NA;
	struct eng_thread *m = eng_state_main_thread(c->st, t), *p;
	switch (id) {
	case F_PROC_PID: return num(v, t->pid);
	case F_PROC_EXE: return str(v, t->exe);
	case F_PROC_NAME: return str(v, t->comm);
	case F_PROC_ARGS:
	case F_PROC_CMDLINE:
	case F_PROC_EXELINE: return thread_text(ref, c, t, id, v);
	case F_PROC_CWD: return str(v, eng_state_cwd(c->st, t));
	case F_PROC_PPID: return num(v, m->ptid);
	case F_PROC_PNAME:
		p = eng_state_thread(c->st, t->ptid);
		return p && !p->placeholder ? str(v, p->comm) : NA;
	case F_PROC_PCMDLINE:
		p = eng_state_thread(c->st, t->ptid);
		return p && !p->placeholder ? thread_text(ref, c, p, F_PROC_CMDLINE, v) : NA;
	case F_PROC_APID:
	case F_PROC_ANAME:
		/* without an index, filters match any ancestor (filter.c); a value
		 * is today's Falco's: apid the process's own pid, aname the
		 * ancestors' names */
		if (ref->argmode != 2)
			return id == F_PROC_APID ? num(v, t->pid) : ancestors_list(ref, c, t, v);
		p = ancestor(c, t, ref->argn);
		if (!p)
			return NA;
		return id == F_PROC_APID ? num(v, p->pid) : str(v, p->comm);
	case F_PROC_EXEPATH: return str(v, t->exepath);
	case F_PROC_SID: return num(v, t->sid);
	case F_PROC_VPGID: return num(v, t->vpgid);
	case F_PROC_TTY: return num(v, (int32_t)t->tty);
	case F_PROC_VPID: return num(v, t->vpid);
	case F_PROC_NTHREADS: {
		uint32_t n = 0;
		for (size_t i = 0; i < c->st->threads.cap; i++) {
			struct eng_thread *x = c->st->threads.slots[i].val;
			if (x && x->pid == t->pid)
				n++;
		}
		return num(v, n);
	}
	case F_PROC_DURATION:
		/* the thread's own start, as sysdig 0.29.3 has it */
		return t->clone_ts ? num(v, (int64_t)(e->ts - t->clone_ts)) : NA;
	case F_PROC_SNAME: {
		/* up the ancestry to the session leader, else to the eldest
		 * ancestor still in the session (sysdig 0.29.3 stops there too) */
		struct eng_thread *a = m;
		for (int k = 0; k < 256 && a->pid != m->sid; k++) {
			struct eng_thread *up = eng_state_parent(c->st, a);
			if (!up || up->sid != m->sid)
				break;
			a = up;
		}
		return str(v, a->comm);
	}
	case F_PROC_PEXE:
	case F_PROC_PEXEPATH:
		p = eng_state_parent(c->st, t);
		if (!p || p->placeholder)
			return NA;
		return str(v, id == F_PROC_PEXE ? p->exe : p->exepath);
	case F_PROC_AEXE:
	case F_PROC_AEXEPATH:
		if (ref->argmode != 2)
			return ancestors_list(ref, c, t, v);
		p = ancestor(c, t, ref->argn);
		if (!p || p->placeholder)
			return NA;
		return str(v, id == F_PROC_AEXE ? p->exe : p->exepath);
	case F_PROC_ACMDLINE:
		if (ref->argmode != 2)
			return ancestors_list(ref, c, t, v);
		p = ancestor(c, t, ref->argn);
		if (!p || p->placeholder)
			return NA;
		return thread_text(ref, c, p, F_PROC_CMDLINE, v);
	case F_THREAD_TID: return num(v, t->tid);
	case F_THREAD_ISMAIN: return num(v, t->tid == t->pid);
	case F_THREAD_VTID: return num(v, t->vtid);
	case F_USER_UID: return t->uid == UINT32_MAX ? NA : num(v, t->uid);
	case F_USER_NAME:
	case F_USER_HOMEDIR:
	case F_USER_SHELL: {
		const struct eng_user *u = eng_state_user(c->st, t->uid);
		if (!u)
			return NA;
		return str(v, id == F_USER_NAME ? u->name : id == F_USER_HOMEDIR ? u->homedir
										 : u->shell);
	}
	case F_USER_LOGINUID: return num(v, t->loginuid);
	case F_USER_LOGINNAME: {
		const struct eng_user *u = eng_state_user(c->st, (uint32_t)t->loginuid);
		return u ? str(v, u->name) : NA;
	}
	case F_GROUP_GID: return t->gid == UINT32_MAX ? NA : num(v, t->gid);
	case F_GROUP_NAME: {
		const struct eng_group *g = eng_state_group(c->st, t->gid);
		return g ? str(v, g->name) : NA;
	}
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
		return extract_container(c, t, id, v);
	case F_PROC_IS_EXE_WRITABLE: return num(v, m->exe_writable);
	case F_PROC_IS_EXE_FROM_MEMFD:
		/* the kernel names a memfd's file "memfd:NAME" (/proc/PID/exe
		 * "/memfd:NAME (deleted)") */
		return num(v, m->exe_memfd);
	case F_PROC_IS_EXE_UPPER_LAYER:
		/* known only when a tracer sets execve's overlayfs flag: no flag is
		 * no answer, not "false" */
		return m->exe_upper ? num(v, 1) : NA;
	case F_PROC_ENV:
		/* no environment known is an empty one, as in sysdig */
		if (!m->env)
			return ref->argmode == 0 ? str(v, "") : NA;
		if (ref->argmode == 0) {
			size_t pos = 0;
			ref->buf[0] = 0;
			join_args(ref->buf, sizeof(ref->buf), &pos, m->env, m->env_len);
			return str(v, ref->buf);
		}
		return env_value(ref, m, v);
	case F_PROC_IS_VPGID_LEADER: return num(v, m->vpgid > 0 && m->pid == m->vpgid);
	case F_PROC_VPGID_NAME:
	case F_PROC_VPGID_EXE:
		p = m->vpgid > 0 ? eng_state_thread(c->st, m->vpgid) : NULL;
		if (!p || p->placeholder)
			return NA;
		return str(v, id == F_PROC_VPGID_NAME ? p->comm : p->exe);
	}
	return NA;
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

/* ---- %evt.args with the stateful decorations ---- */

/* The stateful resolved part of parameter i: 1 with out filled (maybe
 * empty), or 0 when the parameter's resolution is stateless. */
static int resolve_stateful(const struct eng_ctx *c, const struct shm_evt *e, unsigned i,
			    char *out, size_t cap)
{
	const struct shm_param_info *pi = &e->info->params[i];
	struct eng_thread *t = c->ev->thread;
	int64_t val;
	out[0] = 0;
	switch (pi->type) {
	case SHM_PT_FD: {
		if (shm_evt_get_s64(e, i, &val) || val < 0)
			return 0; /* errors and AT_FDCWD are named without state */
		struct eng_fd *fd = eng_state_fd(t, val);
		if (!fd)
			return 1;
		const char *l4 = "";
		/* like sysdig, the protocol letter shows once the socket has a peer */
		if (is_ip_sock(fd) && fd->role != ENG_ROLE_NONE) {
			switch (fd->l4proto) {
			case ENG_L4_TCP: l4 = "t"; break;
			case ENG_L4_UDP: l4 = "u"; break;
			case ENG_L4_ICMP: l4 = "i"; break;
			case ENG_L4_RAW: l4 = "r"; break;
			}
		}
		snprintf(out, cap, "<%s%s>%s", eng_fd_typechar(fd), l4, fd->name);
		return 1;
	}
	case SHM_PT_PID: {
		if (shm_evt_get_s64(e, i, &val))
			return 1;
		struct eng_thread *p = eng_state_thread(c->st, val);
		if (p && p->comm)
			snprintf(out, cap, "%s", p->comm);
		return 1;
	}
	case SHM_PT_UID:
	case SHM_PT_GID: {
		uint64_t id64;
		if (shm_evt_get_u64(e, i, &id64))
			return 1;
		uint32_t id = (uint32_t)id64;
		const char *nm = NULL;
		if (pi->type == SHM_PT_UID) {
			const struct eng_user *u = eng_state_user(c->st, id);
			nm = u ? u->name : NULL;
		} else {
			const struct eng_group *g = eng_state_group(c->st, id);
			nm = g ? g->name : NULL;
		}
		snprintf(out, cap, "%s", nm ? nm : "<NA>");
		return 1;
	}
	case SHM_PT_FSPATH:
	case SHM_PT_FSRELPATH: {
		const char *path = shm_evt_str(e, i);
		if (!path || path[0] == '/' || !t)
			return 1;
		const char *dir = eng_state_cwd(c->st, t);
		char dbuf[ENG_FIELD_BUF];
		if (pi->type == SHM_PT_FSRELPATH) {
			int64_t dirfd;
			if (shm_evt_get_s64(e, pi->dirfd, &dirfd))
				return 1;
			/* sysdig shows an unknown dirfd's path joined to "" */
			dir = eng_state_at_dir(c->st, t, dirfd, "", dbuf, sizeof(dbuf));
		}
		eng_path_join(dir, path, out, cap);
		return 1;
	}
	default:
		return 0;
	}
}

static int resolved_part(const struct eng_ctx *c, const struct shm_evt *e, unsigned i, char *out,
			 size_t cap)
{
	if (resolve_stateful(c, e, i, out, cap))
		return (int)strlen(out);
	int n = shm_fmt_resolved(e, i, out, cap);
	if (n < 0 && n != -ENOSPC)
		out[0] = 0;
	return (int)strlen(out);
}

int eng_fmt_args(const struct eng_ctx *c, char *out, size_t cap)
{
	const struct shm_evt *e = &c->ev->evt;
	size_t pos = 0;
	char val[ENG_FIELD_BUF], res[ENG_FIELD_BUF];
	if (cap == 0)
		return 0;
	out[0] = 0;
	/* sysdig shows no arguments for the generic syscall events */
	if (e->type == SHM_EV_GENERIC_E || e->type == SHM_EV_GENERIC_X)
		return 0;
	for (unsigned i = 0; i < e->nparams && pos + 1 < cap; i++) {
		int n = shm_fmt_value(e, i, val, sizeof(val));
		if (n < 0 && n != -ENOSPC)
			val[0] = 0;
		int r = resolved_part(c, e, i, res, sizeof(res));
		int w = r > 0 ? snprintf(out + pos, cap - pos, "%s=%s(%s) ", e->info->params[i].name,
					 val, res)
			      : snprintf(out + pos, cap - pos, "%s=%s ", e->info->params[i].name, val);
		if (w < 0)
			break;
		pos += (size_t)w;
		if (pos >= cap) {
			pos = cap - 1;
			break;
		}
	}
	return (int)pos;
}

static int fmt_arg_of(const struct eng_ctx *c, const struct shm_evt *e, unsigned i, char *out,
		      size_t cap)
{
	char res[ENG_FIELD_BUF];
	if (resolved_part(c, e, i, res, sizeof(res)) > 0) {
		snprintf(out, cap, "%s", res);
		return (int)strlen(out);
	}
	return shm_fmt_value(e, i, out, cap);
}

int eng_fmt_arg(const struct eng_ctx *c, unsigned i, char *out, size_t cap)
{
	return fmt_arg_of(c, &c->ev->evt, i, out, cap);
}
