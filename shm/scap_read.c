/*
 * Capture-file reader (see shm_scap.h): the file and its blocks.
 *
 * The file is read in large chunks into one buffer (grown, up to what a
 * block of SHM_SCAP_MAX_BLOCK needs, only as data actually arrives); each
 * block is checked (lengths, trailer) where it lies. Metadata blocks go to
 * the tables (scap_meta.c parses them), event blocks to scap_read_evt.c,
 * which decodes them in place. Framing damage and damaged metadata stop the
 * reader; an event record that fails validation or an unknown block is
 * skipped with a warning and counted. Old-format event records are
 * converted by scap_read_old.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scap_impl.h"

#define READ_CHUNK (1u << 20) /* the first read buffer; doubled as blocks need */

static int fail(struct shm_scap_reader *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct shm_scap_reader *r, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	/* a capture cut short (its writer killed) is still worth reading:
	 * say how much of it was */
	if (strstr(r->err, "truncated file")) {
		size_t n = strlen(r->err);
		snprintf(r->err + n, sizeof r->err - n,
			 " (the file ends early, after %" PRIu64 " events: was its writer stopped "
			 "before it finished?)", r->nevents);
	}
	r->state = err;
	return err;
}

void shm_scap_rd_warn(struct shm_scap_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	shm_scap_vwarn(r->warn, &r->skipped, fmt, ap);
	va_end(ap);
}

/* ---- framing ---- */

/* Offset of the next byte not yet read from the file. */
static uint64_t read_off(const struct shm_scap_reader *r) { return r->bufoff + r->end; }

static int read_fail(struct shm_scap_reader *r, const char *what, size_t want, size_t got)
{
	int zerr = Z_OK;
	const char *zmsg = gzerror(r->gz, &zerr);
	if (zerr != Z_OK && zerr != Z_BUF_ERROR)
		return fail(r, -EIO, "offset %" PRIu64 ": read error in %s: %s", read_off(r), what,
			    zerr == Z_ERRNO ? strerror(errno) : zmsg);
	return fail(r, -EBADMSG, "offset %" PRIu64 ": truncated file: %s needs %zu bytes, "
		    "only %zu left", r->bufoff + r->pos, what, want, got);
}

/* Makes at least need bytes available at buf+pos (fewer only at the end of
 * the file or on a read error); returns how many are. Reads as much as the
 * buffer holds, so most calls read nothing. The buffer grows only as data
 * actually arrives, so a damaged length cannot make us allocate much. */
static size_t fill_slow(struct shm_scap_reader *r, size_t need)
{
	while (r->end - r->pos < need && !r->eof) {
		if (r->pos + need > r->bufcap && r->pos) {
			/* move the unconsumed tail to the front */
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->bufoff += r->pos;
			r->end -= r->pos;
			r->pos = 0;
		}
		if (r->end == r->bufcap) {
			size_t nc = r->bufcap ? r->bufcap * 2 : READ_CHUNK;
			uint8_t *p = realloc(r->buf, nc);
			if (!p) {
				r->nomem = 1; /* the caller says what is missing */
				break;
			}
			r->buf = p;
			r->bufcap = nc;
		}
		size_t room = r->bufcap - r->end;
		if (room > (1u << 30))
			room = 1u << 30;
		int n = gzread(r->gz, r->buf + r->end, (unsigned)room);
		if (n <= 0) {
			r->eof = 1;
			break;
		}
		r->end += (size_t)n;
	}
	return r->end - r->pos;
}

static inline size_t fill(struct shm_scap_reader *r, size_t need)
{
	size_t have = r->end - r->pos;
	return have >= need ? have : fill_slow(r, need);
}

/* Reads the next block into body: 1, 0 at a clean end, or a negative errno.
 * The first block of a file must be a section header: anything else is not
 * a capture, whatever its length says. */
int shm_scap_rd_block(struct shm_scap_reader *r, int first)
{
	uint32_t h[2];
	size_t n = fill(r, sizeof h);
	if (n < sizeof h && r->nomem)
		return fail(r, -ENOMEM, "out of memory reading a block header");
	if (n == 0) {
		int zerr = Z_OK;
		const char *zmsg = gzerror(r->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_BUF_ERROR)
			return fail(r, -EIO, "offset %" PRIu64 ": read error: %s", read_off(r),
				    zerr == Z_ERRNO ? strerror(errno) : zmsg);
		if (zerr == Z_BUF_ERROR)
			return fail(r, -EBADMSG, "offset %" PRIu64 ": truncated file: the "
				    "compressed stream ends early", read_off(r));
		return 0;
	}
	if (n < 8)
		return read_fail(r, "a block header", 8, n);
	memcpy(h, r->buf + r->pos, sizeof h);
	r->boff = r->bufoff + r->pos;
	r->btype = h[0];
	r->blen = h[1];
	if (first && r->btype != SHM_SCAP_SHB)
		return fail(r, -EBADMSG, "offset 0: not a capture file: the first block has type "
			    "0x%x, a section header (0x%x) was expected", r->btype, SHM_SCAP_SHB);
	/* shm_scap_btype_name() is for messages only: not called on the good path */
	if (r->blen < 12)
		return fail(r, -EBADMSG, "offset %" PRIu64 ": block type 0x%x (%s): block "
			    "length %u is too small (minimum 12)", r->boff, r->btype,
			    shm_scap_btype_name(r->btype), r->blen);
	if (r->blen % 4)
		return fail(r, -EBADMSG, "offset %" PRIu64 ": block type 0x%x (%s): block "
			    "length %u is not a multiple of 4", r->boff, r->btype,
			    shm_scap_btype_name(r->btype), r->blen);
	if (r->blen > SHM_SCAP_MAX_BLOCK)
		return fail(r, -EFBIG, "offset %" PRIu64 ": block type 0x%x (%s): block length "
			    "%u exceeds the %u MiB limit (damaged file?)", r->boff, r->btype,
			    shm_scap_btype_name(r->btype), r->blen, SHM_SCAP_MAX_BLOCK >> 20);
	if (r->direct && r->blen > r->fsize - r->boff)
		return fail(r, -EBADMSG, "offset %" PRIu64 ": block type 0x%x (%s): block "
			    "length %u runs past the end of the file (%" PRIu64 " bytes left)",
			    r->boff, r->btype, shm_scap_btype_name(r->btype), r->blen,
			    r->fsize - r->boff);
	size_t got = fill(r, r->blen);
	if (got < r->blen) {
		char what[64];
		snprintf(what, sizeof what, "block type 0x%x of %u bytes", r->btype, r->blen);
		int zerr = Z_OK;
		const char *zmsg = gzerror(r->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_BUF_ERROR)
			return fail(r, -EIO, "offset %" PRIu64 ": read error in %s: %s", r->boff,
				    what, zerr == Z_ERRNO ? strerror(errno) : zmsg);
		if (r->nomem)
			return fail(r, -ENOMEM, "out of memory reading a block of %u bytes",
				    r->blen);
		return fail(r, -EBADMSG, "offset %" PRIu64 ": block type 0x%x (%s): truncated "
			    "file: block length %u, only %zu bytes left", r->boff, r->btype,
			    shm_scap_btype_name(r->btype), r->blen, got);
	}
	r->body = r->buf + r->pos + 8;
	r->pos += r->blen;
	uint32_t trailer;
	memcpy(&trailer, r->body + r->blen - 12, 4);
	if (trailer != r->blen)
		return fail(r, -EBADMSG, "offset %" PRIu64 ": block type 0x%x (%s): trailing "
			    "length %u does not match %u", r->boff, r->btype,
			    shm_scap_btype_name(r->btype), trailer, r->blen);
	return 1;
}

static int parse_shb(struct shm_scap_reader *r)
{
	uint32_t magic;
	uint16_t major, minor;
	if (r->blen < SHM_SCAP_SHB_LEN)
		return fail(r, -EBADMSG, "offset %" PRIu64 ": section header: block length %u "
			    "is too small (minimum %u)", r->boff, r->blen, SHM_SCAP_SHB_LEN);
	memcpy(&magic, r->body, 4);
	memcpy(&major, r->body + 4, 2);
	memcpy(&minor, r->body + 6, 2);
	if (magic == __builtin_bswap32(SHM_SCAP_SHB_MAGIC))
		return fail(r, -ENOTSUP, "offset %" PRIu64 ": section header: the capture was "
			    "written on a machine of the other byte order, which is not supported",
			    r->boff + 8);
	if (magic != SHM_SCAP_SHB_MAGIC)
		return fail(r, -EBADMSG, "offset %" PRIu64 ": section header: byte-order magic "
			    "0x%08x, expected 0x%08x", r->boff + 8, magic, SHM_SCAP_SHB_MAGIC);
	if (major > SHM_SCAP_VERSION_MAJOR)
		return fail(r, -ENOTSUP, "offset %" PRIu64 ": section header: format version "
			    "%u.%u is newer than this reader (%u.x); upgrade pdig", r->boff + 8,
			    major, minor, SHM_SCAP_VERSION_MAJOR);
	return 0;
}

/* Parses the metadata block in buf into the tables. */
int shm_scap_rd_absorb(struct shm_scap_reader *r)
{
	if (r->btype == SHM_SCAP_SHB)
		return parse_shb(r);
	struct shm_scap_pctx x = {.m = &r->meta, .btype = r->btype, .boff = r->boff,
				  .err = r->err, .errlen = sizeof r->err, .warn = r->warn,
				  .skipped = &r->skipped};
	int rc = shm_scap_parse_body(&x, r->body, r->blen);
	if (rc == 1) {
		shm_scap_rd_warn(r, "offset %" PRIu64 ": unknown block type 0x%x (%u bytes)",
				 r->boff, r->btype, r->blen);
		return 0;
	}
	if (rc < 0)
		r->state = rc;
	return rc;
}

/* ---- public API ---- */

int shm_scap_reader_new(struct shm_scap_reader **rp, const char *path, char *err,
			size_t errlen)
{
	return shm_scap_reader_open(rp, path, stderr, err, errlen);
}

int shm_scap_reader_open(struct shm_scap_reader **rp, const char *path, FILE *warnings,
			 char *err, size_t errlen)
{
	struct shm_scap_reader *r = NULL;
	struct stat st;
	int rc, fd = -1;

	*rp = NULL;
	memset(&st, 0, sizeof st);
	if (err && errlen)
		err[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	r = calloc(1, sizeof *r);
	if (!r) {
		rc = -ENOMEM;
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		goto err;
	}
	r->warn = warnings;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		r->fsize = (uint64_t)st.st_size;
	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		rc = -ENOMEM;
		snprintf(r->err, sizeof r->err, "cannot open %s for reading", path);
		goto err;
	}
	fd = -1; /* owned by gz now */
	gzbuffer(r->gz, 128 * 1024);
	r->direct = gzdirect(r->gz) && S_ISREG(st.st_mode);

	rc = shm_scap_rd_block(r, 1);
	if (rc == 0)
		rc = fail(r, -EBADMSG, "offset 0: empty file, not a capture (no section header)");
	if (rc < 0)
		goto err;
	if ((rc = parse_shb(r)) < 0)
		goto err;
	/* metadata up to the first event block */
	for (;;) {
		rc = shm_scap_rd_block(r, 0);
		if (rc < 0)
			goto err;
		if (rc == 0) {
			r->state = 1;
			break;
		}
		if (shm_scap_is_event_block(r->btype)) {
			r->pending = 1;
			break;
		}
		if ((rc = shm_scap_rd_absorb(r)) < 0)
			goto err;
	}
	*rp = r;
	return 0;
err:
	if (err && errlen && r && r->err[0])
		snprintf(err, errlen, "%s: %s", path, r->err);
	if (fd >= 0)
		close(fd);
	shm_scap_reader_free(r);
	return rc;
}

uint64_t shm_scap_reader_offset(const struct shm_scap_reader *r)
{
	return r->boff;
}

const char *shm_scap_reader_error(const struct shm_scap_reader *r)
{
	return r->state < 0 ? r->err : "";
}

uint64_t shm_scap_reader_skipped(const struct shm_scap_reader *r)
{
	return r->skipped;
}

uint64_t shm_scap_reader_skipped_events(const struct shm_scap_reader *r)
{
	return r->evskipped;
}

void shm_scap_reader_set_warnings(struct shm_scap_reader *r, FILE *out)
{
	r->warn = out;
}

const struct shm_scap_meta *shm_scap_reader_meta(const struct shm_scap_reader *r)
{
	return &r->meta;
}

const struct shm_scap_machine *shm_scap_reader_machine(const struct shm_scap_reader *r)
{
	return shm_scap_meta_machine(&r->meta);
}

size_t shm_scap_reader_procs(const struct shm_scap_reader *r, const struct shm_scap_proc **procs)
{
	return shm_scap_meta_procs(&r->meta, procs);
}

size_t shm_scap_reader_fds(const struct shm_scap_reader *r, uint64_t tid,
			   const struct shm_scap_fd **fds)
{
	return shm_scap_meta_fds(&r->meta, tid, fds);
}

size_t shm_scap_reader_users(const struct shm_scap_reader *r, const struct shm_scap_user **users)
{
	return shm_scap_meta_users(&r->meta, users);
}

size_t shm_scap_reader_groups(const struct shm_scap_reader *r, const struct shm_scap_group **groups)
{
	return shm_scap_meta_groups(&r->meta, groups);
}

size_t shm_scap_reader_ifaces(const struct shm_scap_reader *r, const struct shm_scap_iface **ifs)
{
	return shm_scap_meta_ifaces(&r->meta, ifs);
}

void shm_scap_reader_free(struct shm_scap_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	free(r->buf);
	free(r->cvt);
	shm_scap_meta_release(&r->meta);
	free(r);
}
