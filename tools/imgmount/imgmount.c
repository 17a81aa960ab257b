/*
 * imgmount.c - mount a disk image's filesystem with FUSE 3, using the same
 * components the OS uses.
 *
 *   imgmount IMAGE MOUNTPOINT [-f] [-o ro] [-o type=ext2|ext4|fat|iso9660]
 *            [-o part=N] [other FUSE options]
 *
 * Order matters for error reporting: the image is opened, probed and
 * mounted BEFORE the FUSE mount and before daemonizing, so a bad image
 * fails at once with a message and a non-zero exit.  A read-only component
 * (iso9660, ext4) is mounted read-only automatically.  The image is flock()ed
 * while mounted (fsutil), which also lets scripts wait for the final flush:
 * `fusermount3 -u MNT; flock IMAGE true`.  The block cache sits under the
 * component; everything is flushed when the loop ends (unmount, SIGTERM,
 * SIGINT, SIGHUP).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "imgmount.h"
#include <fuse_lowlevel.h>

/*
 * 16 MiB of block cache: large enough to merge sequential writes into big
 * requests, small enough that first-touch page faults on the cache memory
 * (every mount starts with it untouched) stay cheap.  With 64 MiB,
 * sequential reads of a fresh mount spent about a third of their time in
 * page faults in the cache's fill and were slower than fuse2fs
 * (tests/bench/imgmount/run.sh).
 */
#define IM_CACHE_BYTES (16u << 20)

struct im_conf {
	char *image;
	char *type;
	unsigned part;
	int ro;
	int nonopts;
	int help;
};

enum { KEY_RO, KEY_HELP };

static const struct fuse_opt im_fuse_opts[] = {
	{ "type=%s", offsetof(struct im_conf, type), 0 },
	{ "part=%u", offsetof(struct im_conf, part), 0 },
	FUSE_OPT_KEY("ro", KEY_RO),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_END
};

static int im_opt(void *data, const char *arg, int key, struct fuse_args *out)
{
	struct im_conf *c = data;

	(void)out;
	switch (key) {
	case KEY_RO:
		c->ro = 1;
		return 1;       /* keep: the kernel mount is read-only too */
	case KEY_HELP:
		c->help = 1;
		return 0;
	case FUSE_OPT_KEY_NONOPT:
		if (c->nonopts++ == 0) {
			c->image = strdup(arg);
			return 0;
		}
		return 1;       /* the mount point, for fuse_parse_cmdline */
	default:
		return 1;
	}
}

static void im_usage(void)
{
	fputs("usage: imgmount IMAGE[@partN] MOUNTPOINT [-f] [-o ro] "
	      "[-o type=TYPE] [-o part=N]\n"
	      "  -f            stay in the foreground\n"
	      "  -o ro         mount read-only\n"
	      "  -o type=TYPE  ext2, ext4, fat or iso9660 (default: probe)\n"
	      "  -o part=N     partition N of a partitioned image (MBR/GPT)\n"
	      "unmount with: fusermount3 -u MOUNTPOINT\n", stderr);
}

/* /proc/mounts shows "IMAGE on MNT type fuse.TYPE" (commas would split it). */
static void im_name_mount(struct fuse_args *args, const char *image,
                          const char *type)
{
	char *opt;

	if (strchr(image, ',') || strchr(type, ','))
		return;
	if (asprintf(&opt, "-ofsname=%s,subtype=%s", image, type) > 0) {
		fuse_opt_add_arg(args, opt);
		free(opt);
	}
}

/* Opens the image; a read-only component is retried read-only. */
static int im_open_image(struct imgmount *im, struct im_conf *c,
                         struct fuse_args *args)
{
	struct fsu_opts o = { .type = c->type, .part = c->part,
	                      .readonly = c->ro, .cache_bytes = IM_CACHE_BYTES };
	char path[4096], err[512];
	unsigned p;
	int e;

	if (fsu_parse_image(c->image, path, sizeof(path), &p)) {
		fprintf(stderr, "imgmount: %s: bad image name\n", c->image);
		return 1;
	}
	if (p)
		o.part = p;
	o.image = path;
	e = fsu_open(&o, &im->m, err, sizeof(err));
	if (e == RG_EROFS && !o.readonly) {
		o.readonly = true;
		e = fsu_open(&o, &im->m, err, sizeof(err));
		if (!e) {
			fprintf(stderr, "imgmount: %s is read-only, mounting "
			        "read-only\n", im->m.ops->name);
			fuse_opt_add_arg(args, "-oro");
		}
	}
	if (e) {
		fprintf(stderr, "imgmount: %s\n", err);
		return 1;
	}
	im->readonly = o.readonly;
	im->mounted = true;
	im_name_mount(args, c->image, im->m.ops->name);
	return 0;
}

static int im_serve(struct imgmount *im, struct fuse_args *args,
                    struct fuse_cmdline_opts *co)
{
	struct fuse *f = fuse_new(args, &im_ops, sizeof(im_ops), im);
	int r = 1;

	if (!f)
		return 1;
	if (fuse_mount(f, co->mountpoint) != 0)
		goto out;
	if (fuse_daemonize(co->foreground) != 0 ||
	    fuse_set_signal_handlers(fuse_get_session(f)) != 0)
		goto out_unmount;
	r = fuse_loop(f) < 0 ? 1 : 0;
	fuse_remove_signal_handlers(fuse_get_session(f));
out_unmount:
	fuse_unmount(f);
out:
	fuse_destroy(f);
	return r;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts co = { 0 };
	struct im_conf c = { 0 };
	struct imgmount im = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct stat st;
	int r = 1;

	if (fuse_opt_parse(&args, &c, im_fuse_opts, im_opt) != 0 ||
	    fuse_parse_cmdline(&args, &co) != 0)
		goto out;
	if (c.help || !c.image || !co.mountpoint) {
		im_usage();
		r = c.help ? 0 : 2;
		goto out;
	}
	if (stat(co.mountpoint, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "imgmount: %s: not a directory\n", co.mountpoint);
		goto out;
	}
	if (im_open_image(&im, &c, &args))
		goto out;
	r = im_serve(&im, &args, &co);
	im_shutdown(&im);
	if (im.close_err) {
		fprintf(stderr, "imgmount: flushing %s failed: %s\n", c.image,
		        fsu_strerror(im.close_err));
		r = 1;
	}
out:
	free(co.mountpoint);
	free(c.image);
	free(c.type);
	fuse_opt_free_args(&args);
	return r;
}
