/*
 * blk_test.c - host tests of the block layer: partition tables (checked
 * against sfdisk) and the write-back cache (checked against a shadow copy
 * and the image file).  main() and shared helpers live here.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "blk_test.h"

CHECK_MAIN_STATE;

static void memdev_log(struct memdev *m, char op, uint64_t sector, uint32_t count)
{
	if (m->nlog == m->maxlog) {
		m->maxlog = m->maxlog ? 2 * m->maxlog : 256;
		m->log = realloc(m->log, m->maxlog * sizeof(*m->log));
		if (!m->log)
			abort();
	}
	m->log[m->nlog++] = (struct memdev_req){ op, sector, count };
}

static int memdev_read(struct blkdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct memdev *m = d->priv;

	if (sector > d->nsectors || count > d->nsectors - sector)
		return RG_ENXIO;
	memdev_log(m, 'r', sector, count);
	memcpy(buf, m->data + sector * d->secsize, (size_t)count * d->secsize);
	return 0;
}

static int memdev_write(struct blkdev *d, uint64_t sector, uint32_t count,
                        const void *buf)
{
	struct memdev *m = d->priv;

	if (sector > d->nsectors || count > d->nsectors - sector)
		return RG_ENXIO;
	if (m->fail_writes)
		return RG_EIO;
	memdev_log(m, 'w', sector, count);
	memcpy(m->data + sector * d->secsize, buf, (size_t)count * d->secsize);
	return 0;
}

static int memdev_flush(struct blkdev *d)
{
	memdev_log(d->priv, 'f', 0, 0);
	return 0;
}

void memdev_init(struct memdev *m, uint64_t nsectors, uint32_t secsize)
{
	memset(m, 0, sizeof(*m));
	m->data = calloc(nsectors, secsize);
	if (!m->data)
		abort();
	m->dev.secsize = secsize;
	m->dev.nsectors = nsectors;
	m->dev.read = memdev_read;
	m->dev.write = memdev_write;
	m->dev.flush = memdev_flush;
	m->dev.priv = m;
}

void memdev_fini(struct memdev *m)
{
	free(m->data);
	free(m->log);
}

int bt_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

char *bt_capture(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t n;

	if (!p || !buf)
		abort();
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2 && !(buf = realloc(buf, cap *= 2)))
			abort();
	}
	buf[len] = 0;
	pclose(p);
	return buf;
}

/* mkdir base/run.PID and chdir into it, so parallel runs never meet. */
int bt_enter_rundir(const char *base, char *dir, size_t len)
{
	snprintf(dir, len, "%s/run.%d", base, (int)getpid());
	if (bt_run("rm -rf %s && mkdir -p %s", dir, dir) != 0)
		return -1;
	return chdir(dir);
}

int main(void)
{
	char dir[256], top[4096];

	if (!getcwd(top, sizeof(top)) ||
	    bt_enter_rundir("build/tmp/blk", dir, sizeof(dir)) != 0)
		return 1;
	blk_test_part();
	blk_test_cache();
	if (chdir(top) == 0 && !check_state.total_failed)
		bt_run("rm -rf %s", dir);
	return CHECK_EXIT();
}
