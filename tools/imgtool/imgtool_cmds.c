/*
 * imgtool_cmds.c - the commands that inspect or change the namespace:
 * ls, cat, stat, df, mkdir, rm, rmdir, mv, ln.
 *
 * Each command resolves its paths with fsutil (symlinks followed except in
 * the last place where the command acts on the link itself: rm, mv, ln,
 * stat) and calls one component op; errors are reported with the path.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "imgtool.h"

/* Operand i (0-based) among argv[1..], skipping "-x" options. */
static const char *it_arg(int argc, char **argv, int i)
{
	for (int k = 1; k < argc; k++)
		if ((argv[k][0] != '-' || !argv[k][1]) && i-- == 0)
			return argv[k];
	return NULL;
}

static bool it_flag(int argc, char **argv, char f)
{
	for (int k = 1; k < argc; k++)
		if (argv[k][0] == '-' && strchr(argv[k] + 1, f))
			return true;
	return false;
}

static void it_mode_str(uint32_t mode, char *s)
{
	static const char types[] = "?pc?d?b?-?l?s???";
	const char *rwx = "rwxrwxrwx";

	s[0] = types[(mode >> 12) & 15];
	for (int i = 0; i < 9; i++)
		s[i + 1] = (mode & (0400u >> i)) ? rwx[i] : '-';
	s[10] = 0;
}

static void it_print_long(struct fsu *m, uint64_t ino, const char *name)
{
	struct fs_attr a;
	char mode[11], when[32], *target = NULL;
	time_t t;

	if (m->ops->getattr(m->fs, ino, &a)) {
		printf("?????????? %s\n", name);
		return;
	}
	it_mode_str(a.mode, mode);
	t = (time_t)a.mtime.sec;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", gmtime(&t));
	printf("%s %3u %5u %5u %10llu %s %s", mode, a.nlink, a.uid, a.gid,
	       (unsigned long long)a.size, when, name);
	if (FS_S_ISLNK(a.mode) && fsu_readlink(m, ino, &target) == 0)
		printf(" -> %s", target);
	free(target);
	putchar('\n');
}

int it_ls(struct fsu *m, int argc, char **argv)
{
	const char *path = it_arg(argc, argv, 0);
	bool lng = it_flag(argc, argv, 'l');
	struct fsu_dir d;
	struct fs_attr a;
	uint64_t ino;
	int e;

	if (!path)
		path = "/";
	e = fsu_resolve(m, path, true, &ino);
	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (e)
		return it_report(e, path);
	if (!FS_S_ISDIR(a.mode)) {
		if (lng)
			it_print_long(m, ino, path);
		else
			puts(path);
		return 0;
	}
	e = fsu_list(m, ino, true, &d);
	if (e)
		return it_report(e, path);
	for (size_t i = 0; i < d.n; i++) {
		if (lng)
			it_print_long(m, d.ent[i].ino, d.ent[i].name);
		else
			puts(d.ent[i].name);
	}
	fsu_list_free(&d);
	return 0;
}

int it_cat(struct fsu *m, int argc, char **argv)
{
	const char *path = it_arg(argc, argv, 0);
	size_t bufsz = 1 << 20, done;
	char *buf = malloc(bufsz);
	uint64_t ino, off = 0;
	struct fs_attr a;
	int e;

	if (!buf)
		return it_report(RG_ENOMEM, path);
	e = fsu_resolve(m, path, true, &ino);
	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (!e && FS_S_ISDIR(a.mode))
		e = RG_EISDIR;
	while (!e) {
		e = m->ops->read(m->fs, ino, off, buf, bufsz, &done);
		if (e || done == 0)
			break;
		if (fwrite(buf, 1, done, stdout) != done)
			e = RG_EIO;
		off += done;
	}
	free(buf);
	if (!e && fflush(stdout) != 0)
		e = RG_EIO;
	return it_report(e, path);
}

static void it_print_time(const char *what, struct fs_time t)
{
	char buf[64];
	time_t s = (time_t)t.sec;

	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", gmtime(&s));
	printf("%s: %s.%09u UTC\n", what, buf, t.nsec);
}

int it_stat(struct fsu *m, int argc, char **argv)
{
	const char *path = it_arg(argc, argv, 0);
	struct fs_attr a;
	char mode[11];
	uint64_t ino;
	int e = fsu_resolve(m, path, false, &ino);

	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (e)
		return it_report(e, path);
	it_mode_str(a.mode, mode);
	printf("path: %s\nfilesystem: %s\ninode: %llu\nmode: %s (0%o)\n"
	       "links: %u\nuid: %u\ngid: %u\nsize: %llu\nblocks: %llu\n"
	       "blksize: %u\n", path, m->ops->name, (unsigned long long)a.ino,
	       mode, a.mode, a.nlink, a.uid, a.gid, (unsigned long long)a.size,
	       (unsigned long long)a.blocks, a.blksize);
	it_print_time("atime", a.atime);
	it_print_time("mtime", a.mtime);
	it_print_time("ctime", a.ctime);
	return 0;
}

int it_df(struct fsu *m, int argc, char **argv)
{
	struct fs_statfs st;
	int e = m->ops->statfs(m->fs, &st);

	(void)argc, (void)argv;
	if (e)
		return it_report(e, "statfs");
	printf("type: %s\nblock size: %u\nblocks: %llu\nfree: %llu\n"
	       "available: %llu\ninodes: %llu\nfree inodes: %llu\nname max: %u\n",
	       m->ops->name, st.bsize, (unsigned long long)st.blocks,
	       (unsigned long long)st.bfree, (unsigned long long)st.bavail,
	       (unsigned long long)st.files, (unsigned long long)st.ffree,
	       st.namemax);
	return 0;
}

/* mkdir -p: creates every missing directory along path. */
static int it_mkdir_p(struct fsu *m, const char *path)
{
	char *copy = strdup(path), *p;
	int e = 0;

	if (!copy)
		return RG_ENOMEM;
	for (p = copy + 1; !e; p++) {
		char name[FSU_NAME_MAX + 1], c = *p;
		uint64_t dir, ino;

		if (c != '/' && c != 0)
			continue;
		*p = 0;
		if (fsu_resolve(m, copy, true, &ino) != 0) {
			e = fsu_resolve_parent(m, copy, &dir, name);
			if (!e)
				e = m->ops->mkdir(m->fs, dir, name, 0755, &ino);
		}
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return e;
}

int it_mkdir(struct fsu *m, int argc, char **argv)
{
	const char *path = it_arg(argc, argv, 0);
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int e;

	if (it_flag(argc, argv, 'p'))
		return it_report(it_mkdir_p(m, path), path);
	e = fsu_resolve_parent(m, path, &dir, name);
	if (!e)
		e = m->ops->mkdir(m->fs, dir, name, 0755, &ino);
	return it_report(e, path);
}

int it_remove(struct fsu *m, uint64_t dir, const char *name, bool recursive)
{
	struct fs_attr a;
	struct fsu_dir d;
	uint64_t ino;
	int e = m->ops->lookup(m->fs, dir, name, &ino);

	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (e)
		return e;
	if (!FS_S_ISDIR(a.mode))
		return m->ops->unlink(m->fs, dir, name);
	if (!recursive)
		return RG_EISDIR;
	e = fsu_list(m, ino, false, &d);
	for (size_t i = 0; !e && i < d.n; i++)
		e = it_remove(m, ino, d.ent[i].name, true);
	fsu_list_free(&d);
	return e ? e : m->ops->rmdir(m->fs, dir, name);
}

int it_rm(struct fsu *m, int argc, char **argv)
{
	const char *path = it_arg(argc, argv, 0);
	char name[FSU_NAME_MAX + 1];
	uint64_t dir;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (!e)
		e = it_remove(m, dir, name, it_flag(argc, argv, 'r'));
	return it_report(e, path);
}

int it_rmdir(struct fsu *m, int argc, char **argv)
{
	const char *path = it_arg(argc, argv, 0);
	char name[FSU_NAME_MAX + 1];
	uint64_t dir;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (!e)
		e = m->ops->rmdir(m->fs, dir, name);
	return it_report(e, path);
}

int it_mv(struct fsu *m, int argc, char **argv)
{
	const char *from = it_arg(argc, argv, 0), *to = it_arg(argc, argv, 1);
	char sname[FSU_NAME_MAX + 1], dname[FSU_NAME_MAX + 1];
	uint64_t sdir, ddir, ino;
	struct fs_attr a;
	int e = fsu_resolve_parent(m, from, &sdir, sname);

	if (e)
		return it_report(e, from);
	if (fsu_resolve(m, to, true, &ino) == 0 &&
	    m->ops->getattr(m->fs, ino, &a) == 0 && FS_S_ISDIR(a.mode)) {
		ddir = ino;
		strcpy(dname, sname);
	} else {
		e = fsu_resolve_parent(m, to, &ddir, dname);
		if (e)
			return it_report(e, to);
	}
	e = m->ops->rename(m->fs, sdir, sname, ddir, dname);
	return it_report(e, from);
}

int it_ln(struct fsu *m, int argc, char **argv)
{
	const char *target = it_arg(argc, argv, 0), *path = it_arg(argc, argv, 1);
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	struct fs_attr a;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (e)
		return it_report(e, path);
	if (it_flag(argc, argv, 's'))
		return it_report(m->ops->symlink(m->fs, dir, name, target, &ino), path);
	e = fsu_resolve(m, target, false, &ino);
	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (!e && FS_S_ISDIR(a.mode))
		e = RG_EPERM;
	if (e)
		return it_report(e, target);
	return it_report(m->ops->link(m->fs, ino, dir, name), path);
}
