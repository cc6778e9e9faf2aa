/* Private to engine/fields*.c: the field ids, the value setters every
 * class uses, and each field class's extractor (eng_fields.h is the public
 * side; fields.c has the table and dispatches to the class files). */
#ifndef ENG_FIELDS_IMPL_H
#define ENG_FIELDS_IMPL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

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
	F_PROC_IS_ENTRYPOINT, F_EVT_TARGET_TRACED,
	F_PROC_IS_EXE_FROM_MEMFD, F_PROC_IS_EXE_UPPER_LAYER, F_PROC_ENV, F_FD_NAMERAW,
	F_EVT_BUFFER, F_EVT_ASYNCTYPE,
	F_THREAD_USTACK, /* fields_stack.c */
	F_EVT_ABI, F_EVT_IS_COMPAT32, /* pdig's ABI extension (fields_evt.c) */
	F_NA_FIRST, /* from here on: never available */
	F_THREAD_CAP_PERMITTED, F_THREAD_CAP_INHERITABLE, F_THREAD_CAP_EFFECTIVE,
	F_CONTAINER_MOUNT_DEST, F_FD_CIP_NAME, F_FD_SIP_NAME, F_FD_LIP_NAME,
	F_FD_RIP_NAME, F_CONTAINER_MOUNTS, F_CONTAINER_START_TS,
	F_PROC_EXE_INO, F_PROC_EXE_INO_CTIME, F_PROC_EXE_INO_MTIME, F_PROC_EXE_INO_CTIME_DUR,
};

#define NA (-ENOENT)

static inline int num(struct eng_value *v, int64_t n)
{
	v->n = n;
	v->s = NULL;
	return 0;
}

static inline int str(struct eng_value *v, const char *s)
{
	if (!s)
		return NA;
	v->s = s;
	v->len = strlen(s);
	return 0;
}

static inline int is_ip_sock(const struct eng_fd *fd)
{
	return fd->type == SHM_SCAP_FD_IPV4_SOCK || fd->type == SHM_SCAP_FD_IPV6_SOCK ||
	       fd->type == SHM_SCAP_FD_IPV4_SERVSOCK || fd->type == SHM_SCAP_FD_IPV6_SERVSOCK;
}

/* fields_evt.c: evt.* (and the evt.args/evt.arg rendering) */
int fields_extract_evt(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v);

/* fields_fd.c: fd.* */
int fields_extract_fd(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v);
int fields_extract_nameraw(const struct eng_ctx *c, struct eng_value *v);

/* fields_proc.c: proc.* and thread.* of a known, non-placeholder thread t */
int fields_extract_proc(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_thread *t,
			int id, struct eng_value *v);

/* fields_user.c: user.* and group.* of a known, non-placeholder thread t */
int fields_extract_user(const struct eng_ctx *c, const struct eng_thread *t, int id,
			struct eng_value *v);

/* fields_stack.c: thread.ustack (pdig --stack) */
int fields_extract_stack(const struct eng_ctx *c, struct eng_value *v);

/* fields_container.c: container.* and k8s.* of a known, non-placeholder thread t */
int fields_extract_container(const struct eng_ctx *c, const struct eng_thread *t, int id,
			     struct eng_value *v);

#endif
