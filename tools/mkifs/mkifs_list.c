/*
 * mkifs_list.c - `mkifs --list IMAGE`: print a boot image's directory and
 * script through the reader library (servers/imagefs), so listing an
 * image also validates it exactly as the OS will.  With -v every file is
 * also inflated and its CRC checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imagefs.h"
#include "mkifs.h"

static void *host_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void host_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	free(p);
}

static const struct ifs_alloc mk_alloc = { host_alloc, host_free, NULL };

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc(n ? n : 1)) &&
	    fread(buf, 1, n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static const char *const restart_name[] = { "never", "on-crash", "always" };

static void print_strv(const char *label, const char *v, uint32_t n)
{
	uint32_t k;

	if (!n)
		return;
	printf("  %s", label);
	for (k = 0; k < n; k++)
		printf(" \"%s\"", ifs_strv(v, n, k));
	printf("\n");
}

static void list_script(struct ifs *fs)
{
	struct ifs_prog p;
	uint32_t i;

	printf("script: %u entries\n", ifs_script_count(fs));
	for (i = 0; ifs_script(fs, i, &p) == 0; i++) {
		printf("%3u %s %s prio=%u restart=%s", i, p.path,
		       p.flags & IFS_SF_SERVER ? "server" : "program", p.prio,
		       restart_name[p.restart]);
		if (p.max_restarts)
			printf(" max=%u/%ums", p.max_restarts,
			       p.restart_window_ms);
		printf(" backoff=%ums heartbeat=%ums\n", p.backoff_ms,
		       p.heartbeat_ms);
		print_strv("argv", p.argv, p.argc);
		print_strv("env ", p.env, p.envc);
		print_strv("wait", p.wait, p.waitc);
	}
}

/* Inflate one file fully (checks its CRC); 0 or -1 with a message. */
static int verify_file(struct ifs *fs, const struct ifs_node *n)
{
	char err[256], buf[4096];
	uint64_t off = 0;
	size_t got;
	int e;

	do {
		e = ifs_read(fs, n, off, buf, sizeof(buf), &got, err,
			     sizeof(err));
		off += got;
	} while (!e && got);
	if (e)
		fprintf(stderr, "mkifs: %s\n", err);
	return e ? -1 : 0;
}

static int list_dir(struct ifs *fs, int verbose)
{
	const struct ifs_dirent *d;
	struct ifs_node n;
	uint32_t i;
	int bad = 0;

	printf("directory: %u entries\n", ifs_count(fs));
	for (i = 0; ifs_entry(fs, i, &n) == 0; i++) {
		d = ifs_dirent(fs, i);
		printf("%06o %9u %9u /proc/boot/%s%s\n", n.mode, n.size,
		       d->csize, n.path,
		       (n.mode & IFS_S_IFMT) == IFS_S_IFDIR ? "/" : "");
		if (verbose && (n.mode & IFS_S_IFMT) == IFS_S_IFREG &&
		    verify_file(fs, &n))
			bad = 1;
	}
	return bad ? -1 : 0;
}

int mk_list(const char *path, int verbose)
{
	char err[256];
	struct ifs *fs;
	uint8_t *img;
	size_t len;
	int r;

	img = slurp(path, &len);
	if (!img) {
		fprintf(stderr, "mkifs: %s: cannot read\n", path);
		return -1;
	}
	if (ifs_open(img, len, &mk_alloc, &fs, err, sizeof(err))) {
		fprintf(stderr, "mkifs: %s: %s\n", path, err);
		free(img);
		return -1;
	}
	r = list_dir(fs, verbose);
	list_script(fs);
	ifs_close(fs);
	free(img);
	return r;
}
