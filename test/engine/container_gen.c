/*
 * Writes captures whose threads carry the cgroups of container runtimes, for
 * the container.* differential test: container_gen SCENARIO OUT.scap
 *
 *   runtimes  a process list with docker, cri-o, containerd, kubepods,
 *             podman, lxc, libvirt-lxc, mesos, bpm, ECS and host cgroups,
 *             and near misses (ids one digit short, not hex, host scopes)
 *   events    cgroups arriving with clone and execve exits
 *   json      container metadata events (container_json) for some ids
 *   types     container events of every type number, and for known ids
 *   tree      what pdig writes with --container-id: cgroup v2 threads that
 *             say nothing, and the id in a container event
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_event.h"
#include "shm_scap.h"

static struct shm_scap_writer *w;
static uint64_t ts = 1700000000000000000ull;
static uint8_t buf[65536];
static struct shm_enc e;

static void die(const char *what)
{
	fprintf(stderr, "container_gen: %s: %s\n", what, w ? shm_scap_writer_error(w) : "");
	exit(1);
}

static void begin(uint16_t type, uint64_t tid)
{
	ts += 1000;
	if (shm_enc_begin(&e, buf, sizeof(buf), type, ts, tid))
		die("encoding");
}

static void end(void)
{
	int len = shm_enc_end(&e);
	if (len < 0)
		die("encoding");
	if (shm_scap_write_event(w, 0, 0, buf, (uint32_t)len))
		die("writing");
}

/* A 64-digit hex id made from a seed (lower case), like docker's. */
static const char *hexid(unsigned seed)
{
	static char ids[32][65];
	static unsigned n;
	char *s = ids[n++ % 32];
	unsigned x = seed * 2654435761u + 12345u;
	for (int i = 0; i < 64; i++) {
		x = x * 1103515245u + 12345u;
		s[i] = "0123456789abcdef"[(x >> 16) & 15];
	}
	s[64] = 0;
	return s;
}

/* "subsys=path" strings, each NUL-terminated, from NULL-terminated pairs. */
struct cg {
	char b[4096];
	uint32_t len;
};

static void cg_add(struct cg *c, const char *subsys, const char *path)
{
	int n = snprintf(c->b + c->len, sizeof(c->b) - c->len, "%s=%s", subsys, path);
	if (n < 0 || (size_t)n + 1 > sizeof(c->b) - c->len)
		die("cgroups too long");
	c->len += (uint32_t)n + 1;
}

/* The usual v1 controllers, all in one path (as docker puts them). */
static void cg_all(struct cg *c, const char *path)
{
	static const char *const subs[] = {"cpuset", "cpu", "cpuacct", "blkio", "memory",
					   "devices", "freezer", "net_cls", "perf_event",
					   "pids", NULL};
	for (int i = 0; subs[i]; i++)
		cg_add(c, subs[i], path);
}

#define MAXP 64
static struct shm_scap_proc procs[MAXP];
static struct cg cgs[MAXP];
static char paths[MAXP][256];
static size_t nprocs;

/* A process of the process list, with cgroups (one path for all
 * controllers unless cg is given) and an optional environment. */
static void proc(uint64_t tid, uint64_t ptid, const char *comm, const char *path,
		 const struct cg *cg, const char *env, uint32_t env_len)
{
	if (nprocs == MAXP)
		die("too many processes");
	struct shm_scap_proc *p = &procs[nprocs];
	struct cg *c = &cgs[nprocs];
	memset(c, 0, sizeof(*c));
	if (cg)
		*c = *cg;
	else if (path)
		cg_all(c, path);
	snprintf(paths[nprocs], sizeof(paths[nprocs]), "/usr/bin/%s", comm);
	*p = (struct shm_scap_proc){.tid = tid, .pid = tid, .ptid = ptid, .sid = tid,
				    .vpgid = tid, .comm = comm, .exe = comm,
				    .exepath = paths[nprocs], .args = "", .cwd = "/",
				    .root = "/", .fdlimit = 1024, .uid = 0, .gid = 0,
				    .vtid = tid, .vpid = tid, .loginuid = -1,
				    .cgroups = c->b, .cgroups_len = c->len,
				    .env = env, .env_len = env_len};
	nprocs++;
}

static void metadata(void)
{
	struct shm_scap_machine mi = {.num_cpus = 2, .memory_size_bytes = 1ull << 31,
				      .max_pid = 4194304, .hostname = "pdig-test"};
	struct shm_scap_user users[] = {
		{.uid = 0, .gid = 0, .name = "root", .homedir = "/root", .shell = "/bin/sh"}};
	struct shm_scap_group groups[] = {{.gid = 0, .name = "root"}};
	if (shm_scap_write_machine(w, &mi) || shm_scap_write_procs(w, procs, nprocs) ||
	    shm_scap_write_users(w, users, 1, groups, 1))
		die("metadata");
}

/* An open/close pair: something for every thread to print. */
static void touch(uint64_t tid, const char *path)
{
	begin(SHM_EV_SYSCALL_OPEN_E, tid);
	shm_enc_str(&e, path); shm_enc_u32(&e, 1); shm_enc_u32(&e, 0);
	end();
	begin(SHM_EV_SYSCALL_OPEN_X, tid);
	shm_enc_s64(&e, 3); shm_enc_str(&e, path); shm_enc_u32(&e, 1); shm_enc_u32(&e, 0);
	shm_enc_u32(&e, 0x803);
	end();
	begin(SHM_EV_SYSCALL_CLOSE_E, tid);
	shm_enc_s64(&e, 3);
	end();
	begin(SHM_EV_SYSCALL_CLOSE_X, tid);
	shm_enc_s64(&e, 0);
	end();
}

static void clone_x(uint64_t tid, int64_t res, int64_t pid, int64_t ptid, const char *comm,
		    const struct cg *c, uint32_t flags)
{
	begin(SHM_EV_SYSCALL_CLONE_20_X, tid);
	shm_enc_s64(&e, res); shm_enc_str(&e, comm); shm_enc_param(&e, "", 1);
	shm_enc_s64(&e, (int64_t)tid); shm_enc_s64(&e, pid); shm_enc_s64(&e, ptid);
	shm_enc_str(&e, "/"); shm_enc_s64(&e, 1024); shm_enc_u64(&e, 0); shm_enc_u64(&e, 0);
	shm_enc_u32(&e, 1000); shm_enc_u32(&e, 100); shm_enc_u32(&e, 0); shm_enc_str(&e, comm);
	shm_enc_param(&e, c->b, c->len); shm_enc_u32(&e, flags); shm_enc_u32(&e, 0);
	shm_enc_u32(&e, 0); shm_enc_s64(&e, (int64_t)tid); shm_enc_s64(&e, pid);
	end();
}

/* A fork seen from both sides, each exit with its own cgroups. */
static void fork_pair(uint64_t parent, uint64_t child, const char *comm, const struct cg *pc,
		      const struct cg *cc)
{
	begin(SHM_EV_SYSCALL_CLONE_20_E, parent);
	end();
	clone_x(parent, (int64_t)child, (int64_t)parent, 1, comm, pc, 0);
	clone_x(child, 0, (int64_t)child, (int64_t)parent, comm, cc, 0);
}

static void execve_pair(uint64_t tid, uint64_t ptid, const char *comm, const struct cg *c)
{
	char path[256];
	snprintf(path, sizeof(path), "/usr/bin/%s", comm);
	begin(SHM_EV_SYSCALL_EXECVE_19_E, tid);
	shm_enc_str(&e, path);
	end();
	begin(SHM_EV_SYSCALL_EXECVE_19_X, tid);
	shm_enc_s64(&e, 0); shm_enc_str(&e, comm); shm_enc_param(&e, "", 1);
	shm_enc_s64(&e, (int64_t)tid); shm_enc_s64(&e, (int64_t)tid); shm_enc_s64(&e, (int64_t)ptid);
	shm_enc_str(&e, "/"); shm_enc_u64(&e, 1024); shm_enc_u64(&e, 0); shm_enc_u64(&e, 0);
	shm_enc_u32(&e, 1000); shm_enc_u32(&e, 100); shm_enc_u32(&e, 0); shm_enc_str(&e, comm);
	shm_enc_param(&e, c->b, c->len); shm_enc_param(&e, "HOME=/root", 11);
	shm_enc_u32(&e, 0); shm_enc_s64(&e, (int64_t)tid); shm_enc_u32(&e, (uint32_t)-1);
	shm_enc_u32(&e, 0);
	end();
}

static void container_json(uint16_t type, const char *json)
{
	begin(type, (uint64_t)-1);
	shm_enc_str(&e, json);
	end();
}

/* ---- scenarios ---- */

static const char mesos_env[] = "MESOS_TASK_ID=web.1234-abcd\0PATH=/bin";

static void runtimes_procs(void)
{
	char p[512];
	struct cg c;
	proc(1, 0, "systemd", "/init.scope", NULL, NULL, 0);
	proc(10, 1, "sshd", "/system.slice/ssh.service", NULL, NULL, 0);
	proc(11, 1, "bash", "/user.slice/user-1000.slice/session-3.scope", NULL, NULL, 0);
	/* docker, cgroupfs driver */
	snprintf(p, sizeof(p), "/docker/%s", hexid(1));
	proc(100, 1, "dockerplain", p, NULL, NULL, 0);
	/* docker, systemd driver */
	snprintf(p, sizeof(p), "/system.slice/docker-%s.scope", hexid(2));
	proc(101, 1, "dockersysd", p, NULL, NULL, 0);
	/* upper-case hex */
	snprintf(p, sizeof(p), "/docker/%s", hexid(3));
	for (char *q = p + 8; *q; q++)
		if (*q >= 'a' && *q <= 'f')
			*q = (char)(*q - 'a' + 'A');
	proc(102, 1, "dockerupper", p, NULL, NULL, 0);
	/* cri-o, systemd and cgroupfs */
	snprintf(p, sizeof(p),
		 "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f3b.slice/"
		 "crio-%s.scope", hexid(4));
	proc(200, 1, "criosysd", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/kubepods/besteffort/pod0f3b/crio-%s", hexid(5));
	proc(201, 1, "crioplain", p, NULL, NULL, 0);
	/* containerd with the systemd driver, kubepods with cgroupfs */
	snprintf(p, sizeof(p),
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b.slice/"
		 "cri-containerd-%s.scope", hexid(6));
	proc(300, 1, "containerd", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/kubepods/burstable/pod1a2b-33/%s", hexid(7));
	proc(301, 1, "kubepods", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/system.slice/containerd.service/kubepods-pod1.slice:cri-containerd:%s",
		 hexid(8));
	proc(302, 1, "cricolon", p, NULL, NULL, 0);
	/* podman (root) */
	snprintf(p, sizeof(p), "/machine.slice/libpod-%s.scope", hexid(9));
	proc(400, 1, "podman", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/machine.slice/libpod-%s.scope/container", hexid(10));
	proc(401, 1, "podmannested", p, NULL, NULL, 0);
	/* rootless podman as the systemd user slice shows it */
	snprintf(p, sizeof(p),
		 "/user.slice/user-1000.slice/user@1000.service/user.slice/podman-4242.scope/%s",
		 hexid(11));
	proc(402, 1, "podmanuser", p, NULL, NULL, 0);
	/* ECS (EC2 launch type) */
	snprintf(p, sizeof(p), "/ecs/5a0d5ad2-cc84-4e2f-9aa6-2c27fa4b1a0e/%s", hexid(12));
	proc(500, 1, "ecs", p, NULL, NULL, 0);
	/* Fargate platform 1.4: <task>-<number>, not a 64-digit id */
	proc(501, 1, "fargate", "/ecs/3c7d1f5e2b9a4e6f8d0c1b2a3e4f5d6c/"
				"3c7d1f5e2b9a4e6f8d0c1b2a3e4f5d6c-2937014572", NULL, NULL, 0);
	/* lxc */
	proc(600, 1, "lxc", "/lxc/web01", NULL, NULL, 0);
	proc(601, 1, "lxcnested", "/lxc/db01/init.scope", NULL, NULL, 0);
	proc(602, 1, "lxcpayload", "/lxc.payload/cache01/system.slice", NULL, NULL, 0);
	proc(603, 1, "lxcpayload2", "/lxc.payload.mail01", NULL, NULL, 0);
	/* libvirt-lxc: plain, systemd, legacy */
	proc(700, 1, "libvirt", "/machine/guest1.libvirt-lxc", NULL, NULL, 0);
	proc(701, 1, "libvirtsysd", "/machine.slice/machine-lxc\\x2d4242\\x2dguest2.scope", NULL,
	     NULL, 0);
	proc(702, 1, "libvirtold", "/libvirt/lxc/guest3", NULL, NULL, 0);
	/* mesos: an id and a task id in the environment */
	proc(800, 1, "mesos", "/mesos/a9f41620-b165-4d24-abe0-af0af92e7b20", NULL, mesos_env,
	     sizeof(mesos_env));
	proc(801, 1, "mesosnoenv", "/mesos/b9f41620-b165-4d24-abe0-af0af92e7b21", NULL, NULL, 0);
	/* bpm (Cloud Foundry) */
	proc(900, 1, "bpm", "/system.slice/bpm-web_job.1.scope", NULL, NULL, 0);
	proc(901, 1, "bpmplain", "/bpm-uaa", NULL, NULL, 0);
	/* near misses */
	snprintf(p, sizeof(p), "/docker/%.63s", hexid(13));
	proc(1000, 1, "short", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/docker/%sa", hexid(14));
	proc(1001, 1, "long", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/docker/%.40sxyz%.21s", hexid(15), hexid(15));
	proc(1002, 1, "nothex", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/x/%.60sghij", hexid(16));
	proc(1003, 1, "nothexlate", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/docker/%s/sub", hexid(17));
	proc(1004, 1, "dockersub", p, NULL, NULL, 0);
	snprintf(p, sizeof(p), "/system.slice/docker-%s.scope/init", hexid(18));
	proc(1005, 1, "scopesub", p, NULL, NULL, 0);
	/* cgroup v2 inside a namespace: nothing to see */
	proc(1100, 1, "v2root", "/", NULL, NULL, 0);
	/* only one controller says docker; the others are the host's */
	memset(&c, 0, sizeof(c));
	cg_add(&c, "cpuset", "/");
	cg_add(&c, "cpu", "/user.slice");
	snprintf(p, sizeof(p), "/docker/%s", hexid(19));
	cg_add(&c, "memory", p);
	proc(1200, 1, "onecontroller", NULL, &c, NULL, 0);
	/* docker in one controller, lxc in an earlier one: engine order decides */
	memset(&c, 0, sizeof(c));
	cg_add(&c, "cpuset", "/lxc/first");
	snprintf(p, sizeof(p), "/docker/%s", hexid(20));
	cg_add(&c, "cpu", p);
	proc(1201, 1, "mixed", NULL, &c, NULL, 0);
	/* '=' in a path */
	memset(&c, 0, sizeof(c));
	snprintf(p, sizeof(p), "/a=b/docker/%s", hexid(21));
	cg_add(&c, "cpu", p);
	proc(1202, 1, "equals", NULL, &c, NULL, 0);
	proc(1300, 1, "nocgroups", NULL, NULL, NULL, 0);
	for (unsigned t = 0; t <= 12; t++) {
		snprintf(p, sizeof(p), "/kubepods.slice/crio-%s.scope", hexid(40 + t));
		proc(3000 + t, 1, "typed", p, NULL, NULL, 0);
	}
}

static void runtimes_events(void)
{
	for (size_t i = 0; i < nprocs; i++)
		touch(procs[i].tid, "/etc/hostname");
}

/* Cgroups that arrive with events: a host shell forks a child that a
 * runtime moves into a container before it execs; the container's init
 * forks (inheriting); a process leaves its container. */
static void events_scenario(void)
{
	char p[512];
	struct cg host, dock, crio, v2;
	memset(&host, 0, sizeof(host));
	memset(&dock, 0, sizeof(dock));
	memset(&crio, 0, sizeof(crio));
	memset(&v2, 0, sizeof(v2));
	cg_all(&host, "/user.slice/user-1000.slice/session-3.scope");
	snprintf(p, sizeof(p), "/docker/%s", hexid(30));
	cg_all(&dock, p);
	snprintf(p, sizeof(p), "/kubepods.slice/crio-%s.scope", hexid(31));
	cg_all(&crio, p);
	cg_all(&v2, "/");

	fork_pair(11, 2000, "bash", &host, &host);
	touch(2000, "/etc/a");
	execve_pair(2000, 11, "runc", &dock);
	touch(2000, "/etc/b");
	/* the container's init forks: the child's exit says docker too */
	fork_pair(2000, 2001, "runc", &dock, &dock);
	touch(2001, "/etc/c");
	execve_pair(2001, 2000, "nginx", &dock);
	touch(2001, "/etc/d");
	/* a clone whose caller-side exit says crio, child side says crio */
	fork_pair(11, 2002, "bash", &host, &crio);
	touch(2002, "/etc/e");
	/* a process moved back to the host by an execve */
	execve_pair(2001, 2000, "escape", &host);
	touch(2001, "/etc/f");
	/* cgroup v2 namespace root: nothing known */
	fork_pair(11, 2003, "bash", &host, &v2);
	touch(2003, "/etc/g");
	execve_pair(2003, 11, "v2", &v2);
	touch(2003, "/etc/h");
	/* a damaged cgroups list: an entry without '=' ends it (the docker
	 * path after it does not count) */
	struct cg bad;
	memset(&bad, 0, sizeof(bad));
	cg_add(&bad, "cpu", "/lxc/damaged");
	memcpy(bad.b + bad.len, "noequals", 9);
	bad.len += 9;
	snprintf(p, sizeof(p), "/docker/%s", hexid(32));
	cg_add(&bad, "memory", p);
	execve_pair(2000, 11, "runc2", &bad);
	touch(2000, "/etc/j");
	fork_pair(2000, 2005, "runc2", &bad, &bad);
	touch(2005, "/etc/k");
	/* a thread of the docker process */
	begin(SHM_EV_SYSCALL_CLONE_20_E, 2000);
	end();
	clone_x(2000, 2004, 2000, 11, "runc", &dock, 1u << 13 | 1u);
	clone_x(2004, 0, 2000, 11, "runc", &dock, 1u << 13 | 1u);
	touch(2004, "/etc/i");
}

static void json_scenario(void)
{
	char j[2048];
	snprintf(j, sizeof(j),
		 "{\"container\":{\"id\":\"%.12s\",\"type\":0,\"name\":\"web\","
		 "\"image\":\"nginx:1.21\",\"imagerepo\":\"nginx\",\"imagetag\":\"1.21\","
		 "\"imageid\":\"abc\",\"privileged\":true,\"Mounts\":[],\"labels\":{},"
		 "\"lookup_state\":1}}", hexid(1));
	container_json(SHM_EV_CONTAINER_JSON_E, j);
	snprintf(j, sizeof(j),
		 "{\"container\":{\"id\":\"%.12s\",\"type\":6,\"name\":\"k8s_app\","
		 "\"image\":\"quay.io/app:v2\",\"lookup_state\":1}}", hexid(4));
	container_json(SHM_EV_CONTAINER_JSON_2_E, j);
	/* the old container event: parameters, no JSON */
	char id[13];
	snprintf(id, sizeof(id), "%.12s", hexid(5));
	begin(SHM_EV_CONTAINER_E, (uint64_t)-1);
	shm_enc_str(&e, id); shm_enc_u32(&e, 8); shm_enc_str(&e, "oldname");
	shm_enc_str(&e, "oldimage:3");
	end();
	/* a container no thread is in */
	container_json(SHM_EV_CONTAINER_JSON_2_E,
		       "{\"container\":{\"id\":\"0123456789ab\",\"type\":0,\"name\":\"idle\"}}");
	runtimes_events();
}

/* Every container type number sysdig knows, through cri-o ids (which
 * sysdig's cri engine leaves without metadata) the events then describe;
 * and events for known ids: an lxc id with lxc's type and with another. */
static void types_scenario(void)
{
	char j[512];
	for (int t = 0; t <= 12; t++) {
		snprintf(j, sizeof(j),
			 "{\"container\":{\"id\":\"%.12s\",\"type\":%d,\"name\":\"n%d\","
			 "\"image\":\"img%d\",\"lookup_state\":1}}", hexid(40 + (unsigned)t), t, t, t);
		container_json(SHM_EV_CONTAINER_JSON_2_E, j);
	}
	container_json(SHM_EV_CONTAINER_JSON_2_E,
		       "{\"container\":{\"id\":\"web01\",\"type\":1,\"name\":\"lxcweb\"}}");
	container_json(SHM_EV_CONTAINER_JSON_2_E,
		       "{\"container\":{\"id\":\"db01\",\"type\":0,\"name\":\"notlxc\"}}");
	for (uint64_t t = 0; t <= 12; t++)
		touch(3000 + t, "/etc/hostname");
	touch(600, "/etc/hostname");
	touch(601, "/etc/hostname");
}

/* What pdig --container-id fargate-1 writes (pdig/container.c): the event
 * first, then the tree, on cgroup v2 with nothing to see; one process of
 * the list is in a docker container, and a child moves to one. */
static void tree_scenario(void)
{
	struct cg v2, dock;
	char p[512];
	memset(&v2, 0, sizeof(v2));
	memset(&dock, 0, sizeof(dock));
	cg_all(&v2, "/");
	snprintf(p, sizeof(p), "/docker/%s", hexid(50));
	cg_all(&dock, p);
	container_json(SHM_EV_CONTAINER_JSON_2_E,
		       "{\"container\":{\"id\":\"fargate-1\",\"type\":10,\"name\":\"\","
		       "\"image\":\"\"}}");
	touch(1100, "/etc/a");
	touch(100, "/etc/b");
	fork_pair(1100, 4000, "sh", &v2, &v2);
	execve_pair(4000, 1100, "app", &v2);
	touch(4000, "/etc/c");
	fork_pair(4000, 4001, "app", &v2, &v2);
	execve_pair(4001, 4000, "inner", &dock);
	touch(4001, "/etc/d");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: container_gen runtimes|events|json|types|tree OUT.scap\n");
		return 2;
	}
	if (shm_scap_writer_new(&w, argv[2])) {
		fprintf(stderr, "container_gen: cannot create %s\n", argv[2]);
		return 1;
	}
	runtimes_procs();
	metadata();
	if (!strcmp(argv[1], "runtimes"))
		runtimes_events();
	else if (!strcmp(argv[1], "events"))
		events_scenario();
	else if (!strcmp(argv[1], "json"))
		json_scenario();
	else if (!strcmp(argv[1], "types"))
		types_scenario();
	else if (!strcmp(argv[1], "tree"))
		tree_scenario();
	else {
		fprintf(stderr, "container_gen: unknown scenario '%s'\n", argv[1]);
		return 2;
	}
	if (shm_scap_writer_free(w)) {
		fprintf(stderr, "container_gen: writing %s failed\n", argv[2]);
		return 1;
	}
	return 0;
}
