/*
 * Processes pdig-trace looks for in /proc (trace.h): the command pdig runs,
 * and the processes a sidecar attaches to by name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

/* The command pdig runs: the child of pdig's front that pdig's tracer
 * traces (pdig's other child, the tracer, is not traced). 0 if not found. */
pid_t tr_find_command(pid_t front)
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
int tr_find_by_name(const char *name, char *out, size_t cap)
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
