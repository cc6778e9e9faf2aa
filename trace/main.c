/*
 * pdig-trace [OPTIONS] [ENGINE OPTIONS] -- COMMAND [ARGS...]
 * pdig-trace [OPTIONS] [ENGINE OPTIONS] -p PID[,PID...]
 *
 * The entrypoint prefix: pdig-engine on a private ring (a socket in a
 * private directory, --listen), then pdig handing it its ring (--connect)
 * and running COMMAND. pdig-trace stays the parent of both: when pdig ends
 * the engine is still there to read what pdig wrote last (were pdig PID 1,
 * its exit would make the kernel kill the engine mid-read), and only then
 * does pdig-trace exit, with pdig's status, which is COMMAND's. As PID 1 it
 * reaps orphans and passes the runtime's signals on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"
#include "trace.h"

#ifndef PDIG_VERSION
#define PDIG_VERSION "0.0.0"
#endif

#define EXIT_USAGE 2
#define EXIT_FAIL 125 /* pdig-trace's own failure, as pdig's and docker's */
#define MAX_ARGS 256
#define DEFAULT_EXTRA "container_id=%container.id container_name=%container.name " \
	"image=%container.image"
#define K8S_EXTRA "k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name "

static const char usage_text[] =
	"usage: pdig-trace [OPTIONS] [ENGINE OPTIONS] [--] COMMAND [ARGS...]\n"
	"       pdig-trace [OPTIONS] [ENGINE OPTIONS] -p PID[,PID...] [--tree] [--no-inject]\n"
	"       pdig-trace [OPTIONS] [ENGINE OPTIONS] -n NAME [--wait S] [--tree] [--no-inject]\n"
	"Runs COMMAND under pdig (or attaches pdig to running processes) with pdig-engine\n"
	"beside it, applying Falco rules to what it does. Alerts go to standard output,\n"
	"one Falco JSON object a line. Put it in front of a container's entrypoint.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID[,PID...]  attach to running processes (a sidecar sharing the pid\n"
	"                      namespace) instead of running COMMAND; with --tree their\n"
	"                      descendants too, --no-inject to trace without injecting\n"
	"  -n, --name NAME     attach to the processes named NAME (as pgrep -x NAME), once\n"
	"                      one is there: a sidecar need not know the application's pid\n"
	"      --wait S        with -n: how long to wait for NAME to appear (default 60)\n"
	"      --pdig OPTION   pass OPTION to pdig (repeat for each word: --pdig --lossless,\n"
	"                      --pdig --snaplen=256); see pdig --help\n"
	"      --engine OPTION pass OPTION to pdig-engine (repeat for each word)\n"
	"      --text          alerts as Falco's text lines instead of JSON\n"
	"      --no-default-rules  load only the -r files given\n"
	"      --extra-output FORMAT  added to every alert's output (default: container\n"
	"                      id, name and image, and the pod on Kubernetes; '' for none)\n"
	"      --metadata-timeout MS  how long the ECS task metadata endpoint may take\n"
	"                      (default 500; 0: do not ask); the command does not wait\n"
	"                      for it beyond the engine's start and 100 ms\n"
	"      --drain-timeout S  longest wait for the engine to read what is left once\n"
	"                      pdig has ended (default 10)\n"
	"      --output FILE   alerts to FILE (appended) instead of standard output, e.g.\n"
	"                      /proc/1/fd/1: the log of a container pdig-trace was exec'd into\n"
	"      --stdin-stop    stop as on SIGTERM when standard input ends: for sessions\n"
	"                      that pass no signal on (docker exec -i, kubectl exec -i)\n"
	"  -v, --verbose       say which programs, rules and metadata are used\n"
	"  -h, --help          this text\n"
	"      --version       the version\n"
	"\n"
	"Engine options (passed to pdig-engine):\n"
	"  -r RULES            a rules file or folder, loaded after the default rules\n"
	"                      (repeatable; tune the defaults this way)\n"
	"  -o KEY=VALUE        json_output=, priority=LEVEL, rule_matching=first|all\n"
	"  -D TEXT, -t TAG, -T TAG  disable rules by name, enable/disable by tag\n"
	"  --json              alerts as JSON (the default)\n"
	"\n"
	"pdig and pdig-engine are looked for beside pdig-trace, then in PATH; the default\n"
	"rules in ../share/pdig/rules or rules/ beside it, else the copy built in.\n"
	"Container metadata: $ECS_CONTAINER_METADATA_URI_V4 (read once), Kubernetes'\n"
	"downward API in $POD_NAME, $POD_NAMESPACE, $POD_UID; $PDIG_CONTAINER_ID,\n"
	"$PDIG_CONTAINER_NAME, $PDIG_CONTAINER_IMAGE override them.\n"
	"Exit status: COMMAND's (as pdig's: killed by signal N, the same death; 128+N as\n"
	"PID 1); 125 if pdig-trace or the engine cannot start (the command is not run).\n";

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "pdig-trace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(pdig-trace --help shows the options)\n");
	exit(EXIT_USAGE);
}

struct argv_list {
	char *v[MAX_ARGS + 1];
	int n;
};

static void add_arg(struct argv_list *a, const char *s)
{
	if (a->n >= MAX_ARGS)
		usage_error("%s", "too many options");
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

struct opts {
	const char *pids;
	const char *name; /* -n: attach by name */
	int wait_s;
	int tree, no_inject;
	struct argv_list pdig_extra, engine_extra;
	const char *rules[64];
	int nrules;
	int text, no_default_rules, verbose;
	const char *extra; /* NULL: the default */
	int metadata_ms;
	int drain_s;
	const char *output; /* --output */
	int stdin_stop;
	char **cmd;
};

static int parse_num(const char *s, long lo, long hi, long *v)
{
	char *e;
	errno = 0;
	*v = strtol(s, &e, 10);
	return errno || e == s || *e || *v < lo || *v > hi ? -1 : 0;
}

enum { O_PDIG = 256, O_ENGINE, O_TEXT, O_NO_DEFAULT, O_EXTRA, O_META_MS, O_DRAIN_S, O_TREE,
       O_NO_INJECT, O_VERSION, O_JSON, O_LEGACY, O_WAIT, O_OUTPUT, O_STDIN_STOP };

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"pid", required_argument, NULL, 'p'},
		{"name", required_argument, NULL, 'n'},
		{"wait", required_argument, NULL, O_WAIT},
		{"tree", no_argument, NULL, O_TREE},
		{"no-inject", no_argument, NULL, O_NO_INJECT},
		{"pdig", required_argument, NULL, O_PDIG},
		{"engine", required_argument, NULL, O_ENGINE},
		{"text", no_argument, NULL, O_TEXT},
		{"json", no_argument, NULL, O_JSON},
		{"legacy-enter-events", no_argument, NULL, O_LEGACY},
		{"no-default-rules", no_argument, NULL, O_NO_DEFAULT},
		{"extra-output", required_argument, NULL, O_EXTRA},
		{"metadata-timeout", required_argument, NULL, O_META_MS},
		{"drain-timeout", required_argument, NULL, O_DRAIN_S},
		{"output", required_argument, NULL, O_OUTPUT},
		{"stdin-stop", no_argument, NULL, O_STDIN_STOP},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, O_VERSION},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->metadata_ms = 500;
	o->drain_s = 10;
	o->wait_s = 60;
	opterr = 0;
	int c;
	long v;
	/* "+": the command's own flags are the command's */
	while ((c = getopt_long(argc, argv, "+:p:n:r:o:D:t:T:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!optarg[0] || strspn(optarg, "0123456789,") != strlen(optarg))
				usage_error("-p wants process ids separated by commas, not '%s'",
					    optarg);
			o->pids = optarg;
			break;
		case 'n':
			if (!optarg[0] || strchr(optarg, '/'))
				usage_error("-n wants a program name (as ps shows it), not '%s'", optarg);
			o->name = optarg;
			break;
		case O_WAIT:
			if (parse_num(optarg, 0, 86400, &v))
				usage_error("--wait wants seconds (0 to 86400), not '%s'", optarg);
			o->wait_s = (int)v;
			break;
		case O_TREE: o->tree = 1; break;
		case O_NO_INJECT: o->no_inject = 1; break;
		case O_PDIG: add_arg(&o->pdig_extra, optarg); break;
		case O_ENGINE: add_arg(&o->engine_extra, optarg); break;
		case 'r':
			if (o->nrules >= 64)
				usage_error("%s", "too many -r (64 at most)");
			o->rules[o->nrules++] = optarg;
			break;
		case 'o': case 'D': case 't': case 'T': {
			static char flag[64][3];
			static int nflag;
			if (nflag >= 64)
				usage_error("%s", "too many engine options");
			snprintf(flag[nflag], sizeof flag[nflag], "-%c", c);
			add_arg(&o->engine_extra, flag[nflag++]);
			add_arg(&o->engine_extra, optarg);
			break;
		}
		case O_JSON: o->text = 0; break;
		case O_TEXT: o->text = 1; break;
		case O_LEGACY: add_arg(&o->engine_extra, "--legacy-enter-events"); break;
		case O_NO_DEFAULT: o->no_default_rules = 1; break;
		case O_EXTRA: o->extra = optarg; break;
		case O_META_MS:
			if (parse_num(optarg, 0, 60000, &v))
				usage_error("--metadata-timeout wants milliseconds (0 to 60000), not "
					    "'%s'", optarg);
			o->metadata_ms = (int)v;
			break;
		case O_DRAIN_S:
			if (parse_num(optarg, 1, 3600, &v))
				usage_error("--drain-timeout wants seconds (1 to 3600), not '%s'",
					    optarg);
			o->drain_s = (int)v;
			break;
		case O_OUTPUT:
			if (!optarg[0])
				usage_error("%s", "--output needs a file name");
			o->output = optarg;
			break;
		case O_STDIN_STOP: o->stdin_stop = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case O_VERSION:
			printf("pdig-trace %s\n", PDIG_VERSION);
			exit(0);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->pids && o->name)
		usage_error("%s", "give -p PID or -n NAME, not both");
	if ((o->tree || o->no_inject) && !o->pids && !o->name)
		usage_error("%s", "--tree and --no-inject go with -p PID or -n NAME");
	if ((o->pids || o->name) && optind < argc)
		usage_error("give -p PID, -n NAME or a COMMAND, not two (got '%s')", argv[optind]);
	if (!o->pids && !o->name && optind >= argc)
		usage_error("%s", "no command given (pdig-trace [OPTIONS] -- COMMAND [ARGS...])");
	if (o->no_default_rules && !o->nrules)
		usage_error("%s", "--no-default-rules needs -r RULES");
	o->cmd = argv + optind;
}

/* ---- where things are ---- */

static char self_dir[PATH_MAX];

/* dir/name into out: 0, or -ENAMETOOLONG (then out is not to be used) */
static int join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static void find_self(const char *argv0)
{
	char p[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);
	if (n > 0) {
		p[n] = 0;
	} else if (strchr(argv0, '/') && realpath(argv0, p)) {
		/* no /proc (a bare chroot): where we were started from */
	} else {
		return;
	}
	char *slash = strrchr(p, '/');
	if (slash) {
		*slash = 0;
		snprintf(self_dir, sizeof self_dir, "%s", p[0] ? p : "/");
	}
}

static int executable(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/* name beside pdig-trace, then in PATH: 0 with the path, -ENOENT */
static int find_program(const char *name, char *out, size_t cap)
{
	if (self_dir[0]) {
		if (!join(out, cap, self_dir, name) && executable(out))
			return 0;
	}
	const char *path = getenv("PATH");
	if (!path || !path[0])
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t l = strcspn(path, ":");
		char dir[PATH_MAX];
		if (l < sizeof dir) {
			memcpy(dir, l ? path : ".", l ? l : 1);
			dir[l ? l : 1] = 0;
			if (!join(out, cap, dir, name) && executable(out))
				return 0;
		}
		path += l + (path[l] == ':');
	}
	return -ENOENT;
}

static int has_yaml(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int yes = 0;
	while (d && !yes && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		yes = (n > 5 && !strcmp(e->d_name + n - 5, ".yaml")) ||
		      (n > 4 && !strcmp(e->d_name + n - 4, ".yml"));
	}
	if (d)
		closedir(d);
	return yes;
}

/* The private directory: the engine's socket and, when needed, the rules
 * built in. Owner-only (mkdtemp), removed at the end. */
static char work_dir[PATH_MAX], sock_path[PATH_MAX], rules_dir[PATH_MAX];

static int make_work_dir(void)
{
	/* last, pdig-trace's own directory: a writable volume that holds the
	 * programs does too */
	const char *cands[] = {getenv("TMPDIR"), "/tmp", "/dev/shm", "/run", "/var/tmp", self_dir};
	for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
		if (!cands[i] || !cands[i][0])
			continue;
		/* the socket's path must fit sockaddr_un (108 bytes) */
		if (strlen(cands[i]) + sizeof "/pdig-trace.XXXXXX/engine.sock" > 108)
			continue;
		if (join(work_dir, sizeof work_dir, cands[i], "pdig-trace.XXXXXX"))
			continue;
		if (mkdtemp(work_dir) && !join(sock_path, sizeof sock_path, work_dir, "engine.sock"))
			return 0;
	}
	work_dir[0] = 0;
	fprintf(stderr, "pdig-trace: no writable directory for the engine's socket (tried "
			"$TMPDIR, /tmp, /dev/shm, /run, /var/tmp, %s): mount a small tmpfs or volume "
			"(ECS: a bind mount or volume; Kubernetes: an emptyDir) and set TMPDIR to it\n",
		self_dir[0] ? self_dir : "pdig-trace's directory");
	return -EROFS;
}

static void remove_work_dir(void)
{
	if (!work_dir[0])
		return;
	if (rules_dir[0] && !strncmp(rules_dir, work_dir, strlen(work_dir))) {
		for (size_t i = 0; i < tr_ndefault_rules; i++) {
			char p[PATH_MAX];
			if (!join(p, sizeof p, rules_dir, tr_default_rules[i].name))
				unlink(p);
		}
		rmdir(rules_dir);
	}
	unlink(sock_path);
	rmdir(work_dir);
	work_dir[0] = 0;
}

static int write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		off += (size_t)w;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* The default rules: beside the binary, else the copy built in, written to
 * the private directory for the engine to read. */
static int default_rules(const struct opts *o)
{
	if (self_dir[0]) {
		const char *rel[] = {"../share/pdig/rules", "rules"};
		for (int i = 0; i < 2; i++) {
			if (!join(rules_dir, sizeof rules_dir, self_dir, rel[i]) && has_yaml(rules_dir)) {
				if (o->verbose)
					fprintf(stderr, "pdig-trace: default rules: %s\n", rules_dir);
				return 0;
			}
		}
	}
	if (join(rules_dir, sizeof rules_dir, work_dir, "rules") || mkdir(rules_dir, 0700) < 0) {
		fprintf(stderr, "pdig-trace: cannot create %s: %s\n", rules_dir, strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < tr_ndefault_rules; i++) {
		char p[PATH_MAX];
		int rc = join(p, sizeof p, rules_dir, tr_default_rules[i].name);
		if (!rc)
			rc = write_file(p, tr_default_rules[i].text, tr_default_rules[i].len);
		if (rc) {
			fprintf(stderr, "pdig-trace: cannot write %s: %s\n", p, strerror(-rc));
			return rc;
		}
	}
	if (o->verbose)
		fprintf(stderr, "pdig-trace: default rules: the copy built in (%zu files)\n",
			tr_ndefault_rules);
	return 0;
}

/* ---- container metadata, read while the engine loads its rules ---- */

struct meta_job {
	struct tr_meta m;
	int timeout_ms;
	int rc;
	char why[256];
	int done_fd; /* a byte written here when done: the main loop polls it */
};

static void *meta_thread(void *arg)
{
	struct meta_job *j = arg;
	j->rc = tr_meta_read(&j->m, j->timeout_ms, j->why, sizeof j->why);
	const char b = 1;
	while (write(j->done_fd, &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 0) == 1;
}

static int id_ok(const char *id)
{
	size_t n = strlen(id);
	return n && n <= 128 &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:") == n;
}

static int text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return 0;
	return 1;
}

static void meta_failed(const struct meta_job *j)
{
	fprintf(stderr, "pdig-trace: no container metadata from ECS (%s): alerts show the "
			"id at the end of the endpoint's address only\n", j->why);
}

/* pdig's container options, before the user's --pdig ones (later ones win);
 * the id pdig will use in pdig_id ("" when none) */
static void meta_args(struct argv_list *a, const struct meta_job *j, int verbose, char *pdig_id,
		      size_t cap)
{
	static char lab[3][320];
	const struct tr_meta *m = &j->m;
	if (j->rc)
		meta_failed(j);
	if (m->id[0] && !id_ok(m->id)) {
		fprintf(stderr, "pdig-trace: the container id '%s' is not usable (letters, digits, "
				"'.', '_', '-', ':', 128 at most): left out\n", m->id);
	} else if (m->id[0]) {
		add_arg(a, "--container-id");
		add_arg(a, m->id);
	}
	if (m->id[0] && id_ok(m->id))
		snprintf(pdig_id, cap, "%s", m->id);
	else if (tr_uri_id(pdig_id, cap) <= 0 || !id_ok(pdig_id))
		pdig_id[0] = 0; /* pdig's own default: the end of the URI */
	const char *flags[] = {"--container-name", "--container-image", "--container-image-id"};
	const char *vals[] = {m->name, m->image, m->image_id};
	for (int i = 0; i < 3; i++) {
		if (!vals[i][0])
			continue;
		if (!text_ok(vals[i])) {
			fprintf(stderr, "pdig-trace: %s has control characters: left out\n", flags[i]);
			continue;
		}
		add_arg(a, flags[i]);
		add_arg(a, vals[i]);
	}
	const char *keys[] = {"io.kubernetes.pod.name", "io.kubernetes.pod.namespace",
			      "io.kubernetes.pod.uid"};
	const char *kv[] = {m->pod_name, m->pod_ns, m->pod_uid};
	for (int i = 0; i < 3; i++) {
		if (!kv[i][0] || !text_ok(kv[i]))
			continue;
		snprintf(lab[i], sizeof lab[i], "%s=%s", keys[i], kv[i]);
		add_arg(a, "--container-label");
		add_arg(a, lab[i]);
	}
	if (verbose)
		fprintf(stderr, "pdig-trace: container: id '%s' name '%s' image '%s' pod '%s/%s'%s%s\n",
			m->id, m->name, m->image, m->pod_ns, m->pod_name, m->source ? " from " : "",
			m->source ? m->source : "");
}

/* ---- the two children ---- */

static sigset_t handled; /* blocked in pdig-trace, read from the signalfd */

static pid_t spawn(char *const *argv, int keep_fd, int new_group, int out_fd)
{
	pid_t p = fork();
	if (p != 0)
		return p;
	if (out_fd >= 0)
		dup2(out_fd, STDOUT_FILENO);
	/* the engine in a group of its own: Ctrl-C at a terminal and a group
	 * kill are for the command; the engine stops when told, after reading */
	if (new_group)
		setpgid(0, 0);
	if (keep_fd >= 0)
		fcntl(keep_fd, F_SETFD, 0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&handled, sig))
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_DFL); /* an ignored signal stays ignored across exec */
	sigprocmask(SIG_UNBLOCK, &handled, NULL);
	execv(argv[0], argv);
	fprintf(stderr, "pdig-trace: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(EXIT_FAIL);
}

/* The command pdig runs: the child of pdig's front that pdig's tracer
 * traces (pdig's other child, the tracer, is not traced). 0 if not found. */
static pid_t find_command(pid_t front)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	while (d && !found && (e = readdir(d))) {
		char p[64], buf[4096];
		long pid = strtol(e->d_name, NULL, 10);
		if (pid <= 0)
			continue;
		snprintf(p, sizeof p, "/proc/%ld/status", pid);
		FILE *f = fopen(p, "re");
		if (!f)
			continue;
		long ppid = -1, tracer = 0;
		while (fgets(buf, sizeof buf, f)) {
			sscanf(buf, "PPid: %ld", &ppid);
			sscanf(buf, "TracerPid: %ld", &tracer);
		}
		fclose(f);
		if (ppid == front && tracer)
			found = (pid_t)pid;
	}
	if (d)
		closedir(d);
	return found;
}

/* The processes named name (their comm; argv[0]'s base name for names
 * longer than comm's 15 characters), pdig-trace and its children left out,
 * as a comma-separated list in out. The number found. */
static int find_by_name(const char *name, char *out, size_t cap)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;
	size_t used = 0;
	out[0] = 0;
	while (d && (e = readdir(d))) {
		char p[64], buf[4096];
		long pid = strtol(e->d_name, NULL, 10);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(p, sizeof p, "/proc/%ld/stat", pid);
		FILE *f = fopen(p, "re");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = 0;
		char *l = strchr(buf, '('), *r = strrchr(buf, ')');
		long ppid = 0;
		char state = 0;
		if (!l || !r || sscanf(r + 1, " %c %ld", &state, &ppid) != 2 || state == 'Z' ||
		    ppid == getpid())
			continue;
		*r = 0;
		int match = !strcmp(l + 1, name);
		if (!match && strlen(name) > 15 && !strncmp(l + 1, name, 15)) {
			snprintf(p, sizeof p, "/proc/%ld/cmdline", pid);
			f = fopen(p, "re");
			n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
			if (f)
				fclose(f);
			buf[n] = 0;
			const char *base = strrchr(buf, '/');
			match = !strcmp(base ? base + 1 : buf, name);
		}
		if (!match)
			continue;
		int w = snprintf(out + used, cap - used, "%s%ld", found ? "," : "", pid);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
		found++;
	}
	if (d)
		closedir(d);
	return found;
}

static _Noreturn void die_like(int sig)
{
	remove_work_dir();
	fflush(NULL);
	if (getpid() != 1) {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		signal(sig, SIG_DFL);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, sig);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		raise(sig);
	}
	_exit(128 + sig);
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct run {
	pid_t engine, pdig;
	int engine_done, engine_status;
	int pdig_done, pdig_status;
	int attach;
	long long drain_deadline; /* 0 until pdig has ended */
	int engine_termed, engine_killed;
};

static void reap(struct run *r)
{
	int st;
	pid_t p;
	/* every child: as PID 1 the orphans of the traced tree come here */
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == r->pdig) {
			r->pdig_done = 1;
			r->pdig_status = st;
		} else if (p == r->engine) {
			r->engine_done = 1;
			r->engine_status = st;
		}
	}
}

static void describe(int st, char *buf, size_t cap)
{
	if (WIFSIGNALED(st))
		snprintf(buf, cap, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(st));
}

/* A signal for pdig-trace: passed on to pdig (which passes it on to the
 * command), or, once pdig has gone, a request to stop the engine now. */
static void on_signal(struct run *r, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	if (r->pdig_done) {
		if ((sig == SIGTERM || sig == SIGINT) && !r->engine_done && !r->engine_termed) {
			kill(r->engine, SIGTERM); /* no more waiting for the drain */
			r->engine_termed = 1;
		}
		return;
	}
	if (si->ssi_code == SI_KERNEL)
		return; /* the terminal's (Ctrl-C, hangup): the whole foreground group, the
			 * command included, has it already */
	if ((sig == SIGINT || sig == SIGQUIT) && !r->attach) {
		/* pdig (not PID 1 here) leaves these to the terminal: hand them to
		 * the command itself, as the runtime's kill of PID 1 meant */
		pid_t cmd = find_command(r->pdig);
		if (cmd > 0 && kill(cmd, sig) == 0)
			return;
	}
	kill(r->pdig, sig);
}

int main(int argc, char **argv)
{
	struct opts o;
	parse_args(argc, argv, &o);
	find_self(argv[0]);
	char pdig_path[PATH_MAX], engine_path[PATH_MAX];
	if (find_program("pdig", pdig_path, sizeof pdig_path) ||
	    find_program("pdig-engine", engine_path, sizeof engine_path)) {
		fprintf(stderr, "pdig-trace: cannot find %s beside %s or in PATH: install pdig, "
				"pdig-engine and pdig-trace in one directory\n",
			find_program("pdig", pdig_path, sizeof pdig_path) ? "pdig" : "pdig-engine",
			self_dir[0] ? self_dir : "pdig-trace");
		return EXIT_FAIL;
	}
	if (o.verbose)
		fprintf(stderr, "pdig-trace: %s, %s\n", pdig_path, engine_path);

	/* From here every signal we pass on waits in the signalfd; the
	 * metadata thread inherits the mask. */
	static const int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	for (size_t i = 0; i < sizeof fwd / sizeof *fwd; i++)
		sigaddset(&handled, fwd[i]);
	sigprocmask(SIG_BLOCK, &handled, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		fprintf(stderr, "pdig-trace: signalfd: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	if (make_work_dir() || (!o.no_default_rules && default_rules(&o))) {
		remove_work_dir();
		return EXIT_FAIL;
	}

	/* the metadata endpoint is asked in a thread of its own: the command
	 * waits for it no longer than the engine takes to start */
	static struct meta_job mj;
	int meta_pipe[2] = {-1, -1};
	mj.timeout_ms = o.metadata_ms;
	pthread_t mt;
	int meta_started = 0;
	if (o.metadata_ms > 0 && pipe2(meta_pipe, O_CLOEXEC) == 0) {
		mj.done_fd = meta_pipe[1];
		meta_started = pthread_create(&mt, NULL, meta_thread, &mj) == 0;
	}
	if (!meta_started)
		mj.rc = tr_meta_read(&mj.m, 0, mj.why, sizeof mj.why);

	/* the engine, on the private socket, with a pipe to say it is ready */
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		fprintf(stderr, "pdig-trace: pipe: %s\n", strerror(errno));
		remove_work_dir();
		return EXIT_FAIL;
	}
	struct argv_list ea = {.n = 0};
	char fdnum[16];
	snprintf(fdnum, sizeof fdnum, "%d", ready[1]);
	add_arg(&ea, engine_path);
	if (!o.no_default_rules) {
		add_arg(&ea, "-r");
		add_arg(&ea, rules_dir);
	}
	for (int i = 0; i < o.nrules; i++) {
		add_arg(&ea, "-r");
		add_arg(&ea, o.rules[i]);
	}
	add_arg(&ea, "--listen");
	add_arg(&ea, sock_path);
	add_arg(&ea, "--exit-with-producer");
	add_arg(&ea, "--ready-fd");
	add_arg(&ea, fdnum);
	if (!o.text)
		add_arg(&ea, "--json");

	struct run r = {.attach = o.pids || o.name};
	static char extra[512];
	const char *pn = getenv("POD_NAME"), *pns = getenv("POD_NAMESPACE");
	if (!o.extra) /* the pod's fields where there is a pod */
		snprintf(extra, sizeof extra, "%s%s",
			 (pn && pn[0]) || (pns && pns[0]) ? K8S_EXTRA : "", DEFAULT_EXTRA);
	else
		snprintf(extra, sizeof extra, "%s", o.extra);
	if (extra[0]) {
		add_arg(&ea, "-p");
		add_arg(&ea, extra);
	}
	for (int i = 0; i < o.engine_extra.n; i++)
		add_arg(&ea, o.engine_extra.v[i]);
	fflush(NULL);
	int out_fd = -1;
	if (o.output && (out_fd = open(o.output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "pdig-trace: cannot write the alerts to %s: %s\n", o.output,
			strerror(errno));
		remove_work_dir();
		return EXIT_FAIL;
	}
	r.engine = spawn(ea.v, ready[1], 1, out_fd);
	close(ready[1]);
	if (out_fd >= 0)
		close(out_fd);
	if (r.engine < 0) {
		fprintf(stderr, "pdig-trace: fork: %s\n", strerror(errno));
		remove_work_dir();
		return EXIT_FAIL;
	}
	/* Not a moment of the command untraced: it starts once the engine
	 * reads, or not at all. */
	char b;
	ssize_t n;
	for (;;) {
		struct pollfd p[2] = {{ready[0], POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		struct signalfd_siginfo si;
		int stop = 0;
		while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			if (si.ssi_signo != SIGCHLD && si.ssi_code != SI_KERNEL)
				stop = (int)si.ssi_signo;
		if (stop) { /* told to stop before anything ran */
			kill(r.engine, SIGTERM);
			waitpid(r.engine, NULL, 0);
			die_like(stop);
		}
		if (p[0].revents)
			break;
	}
	while ((n = read(ready[0], &b, 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (n != 1) {
		int st = 0;
		char d[64];
		waitpid(r.engine, &st, 0);
		describe(st, d, sizeof d);
		fprintf(stderr, "pdig-trace: pdig-engine could not start (%s; its message is above): "
				"%s not started\n", d, r.attach ? "nothing attached" : "the command is");
		remove_work_dir();
		return EXIT_FAIL;
	}

	/* the metadata, if it came while the engine loaded its rules; if not,
	 * pdig starts with what the environment says and the rest follows */
	static struct meta_job early;
	const struct meta_job *now_meta = &mj;
	/* the endpoint answers in milliseconds: a moment's grace (100 ms at
	 * most, once) lets the first events carry the name too */
	struct pollfd mp = {meta_started ? meta_pipe[0] : -1, POLLIN, 0};
	if (meta_started)
		poll(&mp, 1, 100);
	if (meta_started && readable(meta_pipe[0])) {
		pthread_join(mt, NULL);
		meta_started = 0;
	} else if (meta_started) {
		tr_meta_read(&early.m, 0, early.why, sizeof early.why);
		now_meta = &early;
		if (o.verbose)
			fprintf(stderr, "pdig-trace: the metadata endpoint has not answered yet: "
					"the command starts, the metadata follows\n");
	}

	/* -n: the sidecar's application may start after it */
	static char name_pids[4096];
	for (long long until = now_ms() + o.wait_s * 1000LL; o.name;) {
		if (find_by_name(o.name, name_pids, sizeof name_pids) > 0) {
			o.pids = name_pids;
			if (o.verbose)
				fprintf(stderr, "pdig-trace: %s: %s\n", o.name, name_pids);
			break;
		}
		if (now_ms() >= until) {
			fprintf(stderr, "pdig-trace: no process named %s after %d s (--wait): nothing "
					"attached (ps shows the names: the program's file name, cut to 15 "
					"characters)\n", o.name, o.wait_s);
			kill(r.engine, SIGTERM);
			waitpid(r.engine, NULL, 0);
			remove_work_dir();
			return EXIT_FAIL;
		}
		struct pollfd p = {sfd, POLLIN, 0};
		poll(&p, 1, 200);
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			if (si.ssi_signo != SIGCHLD && si.ssi_code != SI_KERNEL) {
				kill(r.engine, SIGTERM);
				waitpid(r.engine, NULL, 0);
				die_like((int)si.ssi_signo);
			}
	}

	/* pdig: its ring to the engine's socket, the container's description */
	struct argv_list pa = {.n = 0};
	add_arg(&pa, pdig_path);
	add_arg(&pa, "--connect");
	add_arg(&pa, sock_path);
	char pdig_id[129];
	meta_args(&pa, now_meta, o.verbose, pdig_id, sizeof pdig_id);
	for (int i = 0; i < o.pdig_extra.n; i++)
		add_arg(&pa, o.pdig_extra.v[i]);
	if (o.pids) {
		add_arg(&pa, "-p");
		add_arg(&pa, o.pids);
		if (o.tree)
			add_arg(&pa, "--tree");
		if (o.no_inject)
			add_arg(&pa, "--no-inject");
	} else {
		add_arg(&pa, "--");
		for (char **c = o.cmd; *c; c++)
			add_arg(&pa, *c);
	}
	fflush(NULL);
	r.pdig = spawn(pa.v, -1, 0, -1);
	if (r.pdig < 0) {
		fprintf(stderr, "pdig-trace: fork: %s\n", strerror(errno));
		kill(r.engine, SIGTERM);
		waitpid(r.engine, NULL, 0);
		remove_work_dir();
		return EXIT_FAIL;
	}

	struct shm_ring_prod *late = NULL;
	for (;;) {
		reap(&r);
		if (r.pdig_done && !r.drain_deadline) {
			/* pdig is gone and its ring complete: the engine reads the rest and
			 * ends (our own ring let go first: it waits for every producer) */
			if (late)
				shm_ring_prod_free(late), late = NULL;
			r.drain_deadline = now_ms() + (long long)o.drain_s * 1000;
			if (!r.engine_done)
				kill(r.engine, SIGUSR1);
		}
		if (r.engine_done && !r.pdig_done && !r.engine_termed) {
			char d[64];
			describe(r.engine_status, d, sizeof d);
			fprintf(stderr, "pdig-trace: pdig-engine ended (%s) while pdig runs: %s goes "
					"on, but no rule sees it any more\n", d,
				r.attach ? "the traced program" : "the command");
			r.engine_termed = 1; /* said once */
		}
		if (r.pdig_done && r.engine_done)
			break;
		int wait = -1;
		if (r.drain_deadline) {
			long long left = r.drain_deadline - now_ms();
			if (left <= 0) {
				if (!r.engine_termed) {
					fprintf(stderr, "pdig-trace: pdig-engine has not finished reading "
							"after %d s (--drain-timeout): stopping it\n",
						o.drain_s);
					kill(r.engine, SIGTERM);
					r.engine_termed = 1;
					r.drain_deadline = now_ms() + 3000;
				} else if (!r.engine_killed) {
					kill(r.engine, SIGKILL);
					r.engine_killed = 1;
				}
				left = 1000;
			}
			wait = (int)left;
		}
		struct pollfd p[3] = {{sfd, POLLIN, 0}, {meta_started ? meta_pipe[0] : -1, POLLIN, 0},
				      {o.stdin_stop ? STDIN_FILENO : -1, POLLIN, 0}};
		if (poll(p, 3, wait) < 0 && errno != EINTR)
			break;
		if (meta_started && p[1].revents) {
			/* the metadata came after pdig started: told to the engine now */
			pthread_join(mt, NULL);
			meta_started = 0;
			const struct tr_meta *m = &mj.m;
			char why[256];
			if (mj.rc)
				meta_failed(&mj);
			else if (!r.pdig_done && pdig_id[0] &&
				 (m->name[0] || m->image[0] || m->image_id[0]) &&
				 tr_announce(sock_path, pdig_id, m, &late, why, sizeof why))
				fprintf(stderr, "pdig-trace: the container's metadata could not be "
						"handed to the engine: %s\n", why);
			else if (o.verbose)
				fprintf(stderr, "pdig-trace: container '%s': name '%s' image '%s' (late)\n",
					pdig_id, m->name, m->image);
		}
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			if (si.ssi_signo != SIGCHLD)
				on_signal(&r, &si);
		if (o.stdin_stop && p[2].revents) {
			char buf[256];
			ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
			if (got <= 0) {
				/* the session that started us is gone: as a SIGTERM */
				o.stdin_stop = 0;
				memset(&si, 0, sizeof si);
				si.ssi_signo = SIGTERM;
				si.ssi_code = SI_USER;
				on_signal(&r, &si);
			}
		}
	}
	remove_work_dir();
	fflush(NULL);
	if (!r.pdig_done)
		return EXIT_FAIL;
	if (WIFSIGNALED(r.pdig_status))
		die_like(WTERMSIG(r.pdig_status));
	return WEXITSTATUS(r.pdig_status);
}
