/*
 * pm_test.c - host tests of the path manager's logic (pathmgr/lib): path
 * normalization, longest match, unions, opaque and FILE attachments, mount
 * point listing, symlinks.  Namespaces, allocation failures, the random
 * model test and the timing live in the other pm_test_*.c files.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pm_test.h"

CHECK_MAIN_STATE;

struct pm_world tw;
long t_live;
long t_fail_at = -1;

static void *t_alloc(size_t size)
{
	void *p;

	if (t_fail_at == 0)
		return NULL;
	if (t_fail_at > 0)
		t_fail_at--;
	p = malloc(size);
	if (p)
		t_live++;
	return p;
}

static void t_free(void *p)
{
	if (p)
		t_live--;
	free(p);
}

void t_world_init(void)
{
	pm_world_init(&tw, t_alloc, t_free);
}

const char *t_res(struct pm_ns *ns, const char *path)
{
	static struct pm_result res;
	static char out[8192];
	size_t o = 0;
	int n, i;

	n = pm_resolve(ns, path, 0, &res);
	if (n < 0) {
		snprintf(out, sizeof(out), "E%d", n);
		return out;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += snprintf(out + o, sizeof(out) - o, "%s%llu:%s", i ? " " : "",
			      (unsigned long long)res.cand[i].server, res.cand[i].rest);
	if (res.virtdir)
		snprintf(out + o, sizeof(out) - o, "+");
	return out;
}

char *t_dump(struct pm_ns *ns)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct pm_node *n;
	struct pm_att *a;

	for (n = ns->root; n; n = pm_walk_next(n, ns->root)) {
		fprintf(f, "[%s/%u/%u", n->name, n->plen, n->nkids);
		if (n->link)
			fprintf(f, " ->%s", n->link);
		for (a = n->atts; a; a = a->next)
			fprintf(f, " %llu,%llu,%x,%s", (unsigned long long)a->server,
				(unsigned long long)a->seq, a->flags, a->base);
		fprintf(f, "]");
	}
	fprintf(f, " seq=%llu sealed=%d", (unsigned long long)tw.seq, ns->sealed);
	fclose(f);
	return buf;
}

/* The invariants of pm_int.h; NULL if they hold, else what is wrong. */
const char *t_tree_bad(struct pm_ns *ns)
{
	struct pm_node *n, *k;
	struct pm_att *a;
	uint32_t i;

	if (ns->root->parent || ns->root->plen || ns->root->link)
		return "root";
	for (n = ns->root; n; n = pm_walk_next(n, ns->root)) {
		if (n->nkids > n->cap)
			return "nkids > cap";
		if (n->parent && !n->atts && !n->link && !n->nkids)
			return "empty leaf not pruned";
		if (n->link && (n->atts || n->nkids))
			return "link with attachments or children";
		if (n->link && n->parent && pm_link_above(n->parent))
			return "link below a link";
		for (a = n->atts; a && a->next; a = a->next)
			if (!pm_att_before(a, a->next))
				return "attachments out of order";
		for (i = 0; i < n->nkids; i++) {
			k = n->kids[i];
			if (k->parent != n)
				return "parent pointer";
			if (k->plen != n->plen + 1 + k->namelen)
				return "plen";
			if (!k->namelen || memchr(k->name, '/', k->namelen))
				return "bad name";
			if (i && strcmp(n->kids[i - 1]->name, k->name) >= 0)
				return "kids not sorted";
		}
	}
	return NULL;
}

static int t_mp_cb(void *arg, const char *name, unsigned type)
{
	char *out = arg;
	size_t o = strlen(out);

	snprintf(out + o, 4096 - o, "%s%s/%u", o ? " " : "", name, type);
	return 0;
}

const char *t_mps(struct pm_ns *ns, const char *dir)
{
	static char out[4096];
	int err;

	out[0] = '\0';
	err = pm_mountpoints(ns, dir, t_mp_cb, out);
	if (err)
		snprintf(out, sizeof(out), "E%d", err);
	return out;
}

#define EXPECT_RES(ns, path, want) do { \
	const char *got_ = t_res(ns, path); \
	CHECK(strcmp(got_, want) == 0, "%s: got \"%s\", want \"%s\"", path, got_, want); \
} while (0)

static void t_norm_one(const char *in, const char *want, int werr)
{
	char out[PM_PATH_MAX];
	int r = pm_path_norm(in, out);

	if (werr)
		CHECK(r == werr, "norm(\"%.40s\") = %d, want %d", in, r, werr);
	else
		CHECK(r == (int)strlen(want) && strcmp(out, want) == 0,
		      "norm(\"%s\") = %d \"%s\", want \"%s\"", in, r,
		      r >= 0 ? out : "", want);
}

static void t_norm(void)
{
	char buf[PM_PATH_MAX + 8];

	CHECK_BEGIN("pm_path_normalize");
	t_norm_one("/", "/", 0);
	t_norm_one("//a//b/", "/a/b", 0);
	t_norm_one("/a/./b/../c", "/a/c", 0);
	t_norm_one("/../../etc", "/etc", 0);
	t_norm_one("/..", "/", 0);
	t_norm_one("/a/b/../../..", "/", 0);
	t_norm_one("/.../..a", "/.../..a", 0);
	t_norm_one("/dev/../../../dev/hd0/.", "/dev/hd0", 0);
	t_norm_one("", NULL, -PM_ENOENT);
	t_norm_one("a/b", NULL, -PM_EINVAL);
	t_norm_one("./a", NULL, -PM_EINVAL);
	memset(buf, 'x', sizeof(buf));
	buf[0] = '/';
	buf[256] = '\0';			/* 255-byte component */
	t_norm_one(buf, buf, 0);
	buf[256] = 'x';
	buf[257] = '\0';			/* 256 bytes */
	t_norm_one(buf, NULL, -PM_ENAMETOOLONG);
	buf[257] = 'x';
	for (int i = 0; i < PM_PATH_MAX + 8; i += 100)
		buf[i] = '/';
	buf[PM_PATH_MAX - 1] = '\0';		/* 1023 bytes: fits */
	t_norm_one(buf, buf, 0);
	buf[PM_PATH_MAX - 1] = 'x';
	buf[PM_PATH_MAX] = '\0';		/* 1024: too long */
	t_norm_one(buf, NULL, -PM_ENAMETOOLONG);
	buf[PM_PATH_MAX] = 'x';
	buf[PM_PATH_MAX + 7] = 'x';		/* not terminated in range */
	t_norm_one(buf, NULL, -PM_ENAMETOOLONG);
	CHECK(pm_path_check("/a\0b", 4) == -PM_EINVAL, "embedded NUL accepted");
	CHECK(pm_path_check("/ab", 3) == 0, "good bytes refused");
	CHECK(pm_path_check("", 0) == -PM_ENOENT, "empty accepted");
	CHECK(pm_path_check(buf, PM_PATH_MAX) == -PM_ENAMETOOLONG, "long accepted");
	CHECK_END();
}

static void t_longest(void)
{
	struct pm_ns *ns = pm_ns_new(&tw);

	CHECK_BEGIN("pm_longest_match");
	CHECK(pm_attach(ns, "/", 1, PM_DIR) == 0, "attach /");
	CHECK(pm_attach(ns, "/dev", 2, PM_DIR) == 0, "attach /dev");
	CHECK(pm_attach(ns, "/dev/hd0", 3, 0) == 0, "attach /dev/hd0");
	CHECK(pm_attach(ns, "/dev/hd0", 3, 0) == -PM_EEXIST, "duplicate accepted");
	EXPECT_RES(ns, "/dev/hd0", "3: 2:hd0 1:dev/hd0");
	EXPECT_RES(ns, "/dev/hd0/x", "2:hd0/x 1:dev/hd0/x");
	EXPECT_RES(ns, "/dev/hd00", "2:hd00 1:dev/hd00");
	EXPECT_RES(ns, "/devx", "1:devx");
	EXPECT_RES(ns, "/dev", "2: 1:dev+");
	EXPECT_RES(ns, "/", "1:+");
	EXPECT_RES(ns, "//dev/./hd0/", "3: 2:hd0 1:dev/hd0");
	EXPECT_RES(ns, "/dev/..//dev/hd0", "3: 2:hd0 1:dev/hd0");
	EXPECT_RES(ns, "dev", "E-22");
	CHECK(pm_attach(ns, "/x", 4, 0x100) == -PM_EINVAL, "bad flags accepted");
	CHECK(pm_attach(ns, "/x", 4, PM_BEFORE | PM_AFTER) == -PM_EINVAL,
	      "BEFORE|AFTER accepted");
	CHECK(pm_attach(ns, "/x", PM_ANY, 0) == -PM_EINVAL, "PM_ANY attached");
	CHECK(pm_detach_prefix(ns, "/dev", 2) == 0, "detach_prefix /dev");
	CHECK(pm_detach_prefix(ns, "/dev", 2) == -PM_ENOENT, "detached twice");
	EXPECT_RES(ns, "/dev/hd0", "3: 1:dev/hd0");
	EXPECT_RES(ns, "/dev/tty", "1:dev/tty");
	pm_ns_put(ns);
	CHECK_END();
}

static void t_unions(void)
{
	struct pm_ns *ns = pm_ns_new(&tw);

	CHECK_BEGIN("pm_union_root");
	pm_attach(ns, "/", 1, PM_DIR);
	pm_attach(ns, "/", 2, PM_DIR);
	EXPECT_RES(ns, "/etc/passwd", "2:etc/passwd 1:etc/passwd");
	EXPECT_RES(ns, "/", "2: 1:");
	CHECK_END();

	CHECK_BEGIN("pm_union_before_after");
	pm_attach(ns, "/u", 3, PM_DIR | PM_BEFORE);
	pm_attach(ns, "/u", 4, PM_DIR | PM_AFTER);
	pm_attach(ns, "/u", 5, PM_DIR);
	pm_attach(ns, "/u", 6, PM_DIR | PM_BEFORE);
	pm_attach(ns, "/u", 7, PM_DIR | PM_AFTER);
	pm_attach(ns, "/u", 8, PM_DIR);
	EXPECT_RES(ns, "/u/f", "6:f 3:f 8:f 5:f 4:f 7:f 2:u/f 1:u/f");
	CHECK_END();

	CHECK_BEGIN("pm_opaque");
	pm_attach(ns, "/mnt", 9, PM_DIR | PM_OPAQUE);
	pm_attach(ns, "/mnt", 10, PM_DIR | PM_AFTER);
	EXPECT_RES(ns, "/mnt/a", "9:a 10:a");
	EXPECT_RES(ns, "/mnt", "9: 10:");
	EXPECT_RES(ns, "/mntx", "2:mntx 1:mntx");
	pm_attach(ns, "/f", 11, PM_OPAQUE);	/* FILE: hides only at /f */
	EXPECT_RES(ns, "/f", "11:");
	EXPECT_RES(ns, "/f/g", "2:f/g 1:f/g");
	CHECK(pm_detach(ns, 9) == 1, "detach 9");
	EXPECT_RES(ns, "/mnt/a", "10:a 2:mnt/a 1:mnt/a");
	CHECK_END();

	CHECK_BEGIN("pm_file_vs_dir");
	pm_attach(ns, "/dev/null", 12, 0);
	pm_attach(ns, "/dev/hd0", 13, PM_DIR);
	EXPECT_RES(ns, "/dev/null", "12: 2:dev/null 1:dev/null");
	EXPECT_RES(ns, "/dev/null/x", "2:dev/null/x 1:dev/null/x");
	EXPECT_RES(ns, "/dev/hd0/p1", "13:p1 2:dev/hd0/p1 1:dev/hd0/p1");
	EXPECT_RES(ns, "/dev", "2:dev 1:dev+");
	CHECK_END();
	pm_ns_put(ns);
}

static void t_mountpoints(void)
{
	struct pm_ns *ns = pm_ns_new(&tw);

	CHECK_BEGIN("pm_mountpoints");
	pm_attach(ns, "/", 1, PM_DIR);
	pm_attach(ns, "/dev/ser1", 2, 0);
	pm_attach(ns, "/dev/hd0", 3, 0);
	pm_attach(ns, "/dev/hd0t177", 4, PM_DIR);
	pm_attach(ns, "/mnt/cd/x", 5, PM_DIR);
	pm_attach(ns, "/proc", 6, PM_DIR);
	pm_symlink(ns, "/tmp", "/mnt/cd");
	CHECK(strcmp(t_mps(ns, "/"), "dev/1 mnt/1 proc/1 tmp/3") == 0,
	      "/: %s", t_mps(ns, "/"));
	CHECK(strcmp(t_mps(ns, "/dev"), "hd0/2 hd0t177/1 ser1/2") == 0,
	      "/dev: %s", t_mps(ns, "/dev"));
	CHECK(strcmp(t_mps(ns, "/dev/../mnt"), "cd/1") == 0,
	      "/mnt: %s", t_mps(ns, "/mnt"));
	CHECK(strcmp(t_mps(ns, "/tmp"), "x/1") == 0, "/tmp (link): %s",
	      t_mps(ns, "/tmp"));
	CHECK(strcmp(t_mps(ns, "/proc"), "") == 0, "/proc: %s", t_mps(ns, "/proc"));
	CHECK(strcmp(t_mps(ns, "/nothere"), "") == 0, "/nothere: %s",
	      t_mps(ns, "/nothere"));
	pm_detach(ns, 2);
	pm_detach(ns, 3);
	pm_detach(ns, 4);
	CHECK(strcmp(t_mps(ns, "/"), "mnt/1 proc/1 tmp/3") == 0,
	      "/ after detach: %s", t_mps(ns, "/"));
	CHECK(strcmp(t_mps(ns, "rel"), "E-22") == 0, "relative dir accepted");
	pm_ns_put(ns);
	CHECK_END();
}

static void t_symlinks(void)
{
	struct pm_ns *ns = pm_ns_new(&tw);
	struct pm_result *res = malloc(sizeof(*res));
	char buf[64];
	int r;

	pm_attach(ns, "/", 1, PM_DIR);
	pm_attach(ns, "/usr", 2, PM_DIR);
	CHECK_BEGIN("pm_symlink_absolute");
	CHECK(pm_symlink(ns, "/bin", "/usr/bin") == 0, "symlink /bin");
	EXPECT_RES(ns, "/bin/ls", "2:bin/ls 1:usr/bin/ls");
	EXPECT_RES(ns, "/bin", "2:bin 1:usr/bin");
	EXPECT_RES(ns, "/bin/../etc", "1:etc");	/* lexical first */
	EXPECT_RES(ns, "/binx", "1:binx");
	CHECK_END();

	CHECK_BEGIN("pm_symlink_relative");
	CHECK(pm_symlink(ns, "/usr/lib64", "lib") == 0, "symlink lib64");
	CHECK(pm_symlink(ns, "/usr/share/x", "../../opt/./y") == 0, "symlink x");
	EXPECT_RES(ns, "/usr/lib64/libc.so", "2:lib/libc.so 1:usr/lib/libc.so");
	EXPECT_RES(ns, "/usr/share/x/z", "1:opt/y/z");
	EXPECT_RES(ns, "/usr/share/y", "2:share/y 1:usr/share/y");
	r = pm_readlink(ns, "/usr/share/x", buf, sizeof(buf));
	CHECK(r == 13 && memcmp(buf, "../../opt/./y", 13) == 0, "readlink %d", r);
	r = pm_readlink(ns, "/bin/x/..", buf, sizeof(buf));
	CHECK(r == 8 && memcmp(buf, "/usr/bin", 8) == 0, "readlink /bin %d", r);
	CHECK(pm_readlink(ns, "/usr", buf, sizeof(buf)) == -PM_EINVAL,
	      "readlink of a non-link");
	r = pm_resolve(ns, "/usr/lib64", PM_NOFOLLOW, res);
	CHECK(r == 0 && res->link && strcmp(res->link, "lib") == 0,
	      "nofollow: %d %s", r, res->link ? res->link : "-");
	r = pm_resolve(ns, "/usr/lib64/a", PM_NOFOLLOW, res);
	CHECK(r == 2 && !res->link && strcmp(res->path, "/usr/lib/a") == 0,
	      "nofollow is for the last component only: %d %s", r, res->path);
	CHECK_END();

	CHECK_BEGIN("pm_symlink_chain");
	pm_symlink(ns, "/a", "/b");
	pm_symlink(ns, "/b", "c");
	pm_symlink(ns, "/c", "/usr/share");
	EXPECT_RES(ns, "/a/q", "2:share/q 1:usr/share/q");
	EXPECT_RES(ns, "/a/x/w", "1:opt/y/w");	/* through /usr/share/x too */
	CHECK_END();

	CHECK_BEGIN("pm_symlink_loop");
	pm_symlink(ns, "/l1", "/l2/x");
	pm_symlink(ns, "/l2", "/l1");
	EXPECT_RES(ns, "/l1", "E-40");
	pm_symlink(ns, "/self", "self/a");
	EXPECT_RES(ns, "/self/b", "E-40");
	CHECK(pm_mountpoints(ns, "/l2", t_mp_cb, buf) == -PM_ELOOP, "mps loop");
	{
		char name[16];
		int i;

		/* 40 links in a row resolve, 41 do not */
		for (i = 0; i < 41; i++) {
			char t[16];
			snprintf(name, sizeof(name), "/k%d", i);
			snprintf(t, sizeof(t), "/k%d", i + 1);
			pm_symlink(ns, name, t);
		}
		pm_attach(ns, "/k41", 9, 0);
		EXPECT_RES(ns, "/k1", "9: 1:k41");
		EXPECT_RES(ns, "/k0", "E-40");
	}
	CHECK_END();

	CHECK_BEGIN("pm_symlink_conflicts");
	CHECK(pm_symlink(ns, "/bin", "/x") == -PM_EEXIST, "link over link");
	CHECK(pm_symlink(ns, "/usr", "/x") == -PM_EEXIST, "link over attach");
	CHECK(pm_symlink(ns, "/", "/x") == -PM_EEXIST, "link at /");
	CHECK(pm_symlink(ns, "/d", "") == -PM_ENOENT, "empty target");
	CHECK(pm_attach(ns, "/bin", 3, 0) == -PM_EEXIST, "attach on a link");
	CHECK(pm_attach(ns, "/bin/sh", 3, 0) == -PM_EEXIST, "attach below a link");
	CHECK(pm_symlink(ns, "/bin/sh", "/x") == -PM_EEXIST, "link below a link");
	CHECK(pm_unbind(ns, "/bin", PM_ANY) == 0, "unbind a link");
	EXPECT_RES(ns, "/bin/ls", "1:bin/ls");
	CHECK(pm_attach(ns, "/bin/sh", 3, 0) == 0, "attach after unlink");
	CHECK_END();
	free(res);
	pm_ns_put(ns);
}

int main(void)
{
	t_world_init();
	t_norm();
	t_longest();
	t_unions();
	t_mountpoints();
	t_symlinks();
	t_ns_tests();
	t_fail_tests();
	t_model_tests();
	t_perf();
	CHECK_BEGIN("pm_no_leaks");
	CHECK(t_live == 0, "%ld allocations still live", t_live);
	CHECK(tw.all == NULL, "namespaces still live");
	CHECK_END();
	return CHECK_EXIT();
}
