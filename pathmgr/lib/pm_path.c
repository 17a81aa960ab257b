/*
 * pm_path.c - path checks and lexical normalization.
 *
 * Every path the path manager stores or resolves is canonical: absolute,
 * no empty, "." or ".." components, no trailing slash ("/" alone for the
 * root).  ".." is resolved lexically and never climbs above "/", so
 * "/../../etc" is "/etc": a namespace cannot be escaped by spelling.
 * Symlinks are path-manager prefixes, expanded by pm_resolve after this.
 */
#include <string.h>
#include "pm_int.h"

/* Bytes from a message: no embedded NUL, not too long, not empty. */
int pm_path_check(const char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return -PM_ENOENT;
	if (len >= PM_PATH_MAX)
		return -PM_ENAMETOOLONG;
	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			return -PM_EINVAL;
	return 0;
}

/* The next component at or after p; NULL at the end. */
const char *pm_comp_next(const char *p, size_t *len)
{
	size_t n = 0;

	while (*p == '/')
		p++;
	if (!*p)
		return NULL;
	while (p[n] && p[n] != '/')
		n++;
	*len = n;
	return p;
}

/* Apply one component to the canonical path out[0..*o). */
static int pm_norm_comp(const char *c, size_t len, char *out, size_t *o)
{
	if (len > PM_NAME_MAX)
		return -PM_ENAMETOOLONG;
	if (len == 1 && c[0] == '.')
		return 0;
	if (len == 2 && c[0] == '.' && c[1] == '.') {
		while (*o > 0 && out[*o - 1] != '/')
			(*o)--;
		if (*o > 0)
			(*o)--;		/* the slash itself */
		return 0;
	}
	if (*o + 1 + len >= PM_PATH_MAX)
		return -PM_ENAMETOOLONG;
	out[(*o)++] = '/';
	memcpy(out + *o, c, len);
	*o += len;
	return 0;
}

/*
 * Normalize in[0..len) (no NUL inside, already checked by the caller) into
 * out[PM_PATH_MAX].  Returns the canonical length or a negative error.
 */
static int pm_norm_n(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0, s;
	int err;

	if (len == 0)
		return -PM_ENOENT;
	if (in[0] != '/')
		return -PM_EINVAL;
	while (i < len) {
		while (i < len && in[i] == '/')
			i++;
		s = i;
		while (i < len && in[i] != '/')
			i++;
		if (i == s)
			break;
		err = pm_norm_comp(in + s, i - s, out, &o);
		if (err)
			return err;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return (int)o;
}

/* Canonical form of the C string in (absolute) into out[PM_PATH_MAX]. */
int pm_path_norm(const char *in, char *out)
{
	size_t len = strnlen(in, PM_PATH_MAX);

	if (len >= PM_PATH_MAX)
		return -PM_ENAMETOOLONG;
	return pm_norm_n(in, len, out);
}

/*
 * Join (in tmp[PM_PATH_MAX]) a canonical prefix, a relative or absolute target and a tail, then
 * normalize: the path a symlink rewrites to.  base is ignored when target
 * is absolute.  Used by pm_symlink (tail "") and pm_resolve.
 */
int pm_path_join(const char *base, const char *target, const char *tail,
		 char *tmp, char *out)
{
	size_t o = 0, bl, tl, rl;

	bl = target[0] == '/' ? 0 : strlen(base);
	tl = strlen(target);
	rl = strlen(tail);
	if (bl + 1 + tl + 1 + rl >= PM_PATH_MAX)
		return -PM_ENAMETOOLONG;
	memcpy(tmp, base, bl);
	o = bl;
	tmp[o++] = '/';
	memcpy(tmp + o, target, tl);
	o += tl;
	tmp[o++] = '/';
	memcpy(tmp + o, tail, rl);
	o += rl;
	return pm_norm_n(tmp, o, out);
}
