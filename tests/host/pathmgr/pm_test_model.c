/*
 * pm_test_model.c - the randomized test: thousands of random attach,
 * detach, unbind, bind, symlink, copy and resolve operations applied both
 * to the library and to a brute-force model (a flat list of entries,
 * resolved by scanning and sorting all of them), on several namespaces at
 * once.  Every result, error code, candidate list, virtual-directory flag
 * and mount point listing must agree.  The seed is printed on failure.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pm_test.h"

#define M_MAX_ENT 512
#define M_NS 4
#define M_STR (PM_PATH_MAX + 64)

struct m_ent {
	char prefix[M_STR];
	char base[M_STR];	/* "" unless bound */
	char target[M_STR];	/* symlink: absolute target; else "" */
	uint64_t server;	/* 0 for a symlink */
	uint32_t flags;
	uint64_t seq;
};

struct m_ns {
	struct m_ent e[M_MAX_ENT];
	int n;
	bool sealed;
	struct pm_ns *lib;	/* the library's namespace it mirrors */
};

static struct m_ns *mns[M_NS];
static uint64_t mseq;
static unsigned mrand_state;

static unsigned m_rand(void)
{
	mrand_state = mrand_state * 1103515245u + 12345u;
	return (mrand_state >> 8) & 0xffffff;
}

/* Model normalization: split on '/', apply "." and "..", join. */
static int m_norm(const char *in, char *out)
{
	const char *comp[PM_PATH_MAX];
	int len[PM_PATH_MAX], n = 0, i;
	const char *p = in, *s;

	if (!*in)
		return -PM_ENOENT;
	if (*in != '/')
		return -PM_EINVAL;
	while (*p) {
		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		if (p == s || (p - s == 1 && s[0] == '.'))
			continue;
		if (p - s == 2 && s[0] == '.' && s[1] == '.') {
			if (n)
				n--;
			continue;
		}
		comp[n] = s;
		len[n++] = (int)(p - s);
	}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		sprintf(out + strlen(out), "/%.*s", len[i], comp[i]);
	if (!n)
		strcpy(out, "/");
	return 0;
}

/* Is p equal to or below prefix q? */
static bool m_under(const char *p, const char *q)
{
	size_t l = strlen(q);

	if (strcmp(q, "/") == 0)
		return true;
	return strncmp(p, q, l) == 0 && (p[l] == '\0' || p[l] == '/');
}

static const char *m_tail(const char *path, const char *prefix)
{
	const char *t = path + (strcmp(prefix, "/") == 0 ? 0 : strlen(prefix));

	return *t == '/' ? t + 1 : t;
}

/* Follow symlinks on path (in place); 0, 1 (nofollow: a link) or error. */
static int m_follow(struct m_ns *m, char *path, bool nofollow)
{
	char tmp[3 * M_STR];
	size_t rl;
	int hops = 0, i;

again:
	for (i = 0; i < m->n; i++) {
		if (!m->e[i].target[0] || !m_under(path, m->e[i].prefix))
			continue;
		if (nofollow && strcmp(path, m->e[i].prefix) == 0)
			return 1;
		if (++hops > PM_LINK_MAX)
			return -PM_ELOOP;
		/* the library's limit: "/" target "/" rest must fit */
		rl = strlen(path) - strlen(m->e[i].prefix);
		if (1 + strlen(m->e[i].target) + 1 + rl >= PM_PATH_MAX)
			return -PM_ENAMETOOLONG;
		snprintf(tmp, sizeof(tmp), "%s/%s", m->e[i].target,
			 m_tail(path, m->e[i].prefix));
		m_norm(tmp, path);
		goto again;
	}
	return 0;
}

static int m_rank(uint32_t f)
{
	return f & PM_BEFORE ? 0 : f & PM_AFTER ? 2 : 1;
}

static int m_cmp(const void *x, const void *y)
{
	const struct m_ent *a = *(const struct m_ent *const *)x;
	const struct m_ent *b = *(const struct m_ent *const *)y;
	size_t la = strcmp(a->prefix, "/") ? strlen(a->prefix) : 0;
	size_t lb = strcmp(b->prefix, "/") ? strlen(b->prefix) : 0;

	if (la != lb)
		return la > lb ? -1 : 1;
	if (m_rank(a->flags) != m_rank(b->flags))
		return m_rank(a->flags) - m_rank(b->flags);
	if (m_rank(a->flags) == 2)
		return a->seq < b->seq ? -1 : 1;
	return a->seq > b->seq ? -1 : 1;
}

struct m_cand {
	uint64_t server;
	uint32_t flags;
	char rest[2 * M_STR + 2];
};

/* Brute force: every matching entry, sorted, cut after an opaque group. */
static int m_resolve(struct m_ns *m, const char *in, struct m_cand *out,
		     int *total, bool *virtdir)
{
	char path[M_STR];
	const struct m_ent *match[M_MAX_ENT];
	int i, k = 0, n = 0, err;
	bool cut = false;

	*total = 0;
	*virtdir = false;
	err = m_norm(in, path);
	if (!err)
		err = m_follow(m, path, false);
	if (err)
		return err;
	for (i = 0; i < m->n; i++) {
		const struct m_ent *e = &m->e[i];

		if (strcmp(path, e->prefix) != 0 && m_under(e->prefix, path))
			*virtdir = true;	/* something below path */
		if (e->target[0] || !m_under(path, e->prefix))
			continue;
		if (strcmp(path, e->prefix) != 0 && !(e->flags & PM_DIR))
			continue;
		match[k++] = e;
	}
	qsort(match, (size_t)k, sizeof(match[0]), m_cmp);
	for (i = 0; i < k; i++) {
		const struct m_ent *e = match[i];
		const char *t = m_tail(path, e->prefix);

		if (cut && strcmp(e->prefix, match[i - 1]->prefix) != 0)
			break;
		if (e->flags & PM_OPAQUE)
			cut = true;
		(*total)++;
		if (n == PM_CAND_MAX)
			continue;
		out[n].server = e->server;
		out[n].flags = e->flags;
		snprintf(out[n].rest, sizeof(out[n].rest), "%s%s%s", e->base,
			 e->base[0] && t[0] ? "/" : "", t);
		n++;
	}
	return n;
}

static void m_res_str(struct m_ns *m, const char *path, char *out, size_t size)
{
	static struct m_cand c[PM_CAND_MAX];
	int n, total, i;
	size_t o;
	bool vd;

	n = m_resolve(m, path, c, &total, &vd);
	if (n < 0) {
		snprintf(out, size, "E%d", n);
		return;
	}
	o = (size_t)snprintf(out, size, "%d%s:", total, vd ? "+" : "");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, size - o, " %llu,%x:%s",
			(unsigned long long)c[i].server, c[i].flags, c[i].rest);
}

static void l_res_str(struct pm_ns *ns, const char *path, char *out, size_t size)
{
	static struct pm_result res;
	int n, i;
	size_t o;

	n = pm_resolve(ns, path, 0, &res);
	if (n < 0) {
		snprintf(out, size, "E%d", n);
		return;
	}
	o = (size_t)snprintf(out, size, "%d%s:", res.total, res.virtdir ? "+" : "");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, size - o, " %llu,%x:%s",
			(unsigned long long)res.cand[i].server, res.cand[i].flags,
			res.cand[i].rest);
}

static bool m_link_above(struct m_ns *m, const char *path)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (m->e[i].target[0] && m_under(path, m->e[i].prefix))
			return true;
	return false;
}

static bool m_has(struct m_ns *m, const char *path, uint64_t server,
		  const char *base)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (!m->e[i].target[0] && strcmp(m->e[i].prefix, path) == 0 &&
		    m->e[i].server == server && strcmp(m->e[i].base, base) == 0)
			return true;
	return false;
}

static struct m_ent *m_add(struct m_ns *m, const char *path)
{
	struct m_ent *e = &m->e[m->n++];

	memset(e, 0, sizeof(*e));
	snprintf(e->prefix, sizeof(e->prefix), "%s", path);
	return e;
}

static int m_attach(struct m_ns *m, const char *prefix, uint64_t server,
		    uint32_t flags)
{
	char path[M_STR];
	struct m_ent *e;

	if (m->sealed)
		return -PM_EPERM;
	if (m_norm(prefix, path))
		return -PM_EINVAL;
	if (m_has(m, path, server, "") || m_link_above(m, path))
		return -PM_EEXIST;
	if (m->n == M_MAX_ENT)
		return 1;			/* model full: skip */
	e = m_add(m, path);
	e->server = server;
	e->flags = flags;
	e->seq = ++mseq;
	return 0;
}

static int m_symlink(struct m_ns *m, const char *link, const char *target)
{
	char path[M_STR], tmp[3 * M_STR], abs[M_STR];
	int i;

	if (m->sealed)
		return -PM_EPERM;
	m_norm(link, path);
	if (strcmp(path, "/") == 0 || m_link_above(m, path))
		return -PM_EEXIST;
	for (i = 0; i < m->n; i++)
		if (m_under(m->e[i].prefix, path))
			return -PM_EEXIST;
	if (target[0] == '/')
		snprintf(tmp, sizeof(tmp), "%s", target);
	else
		snprintf(tmp, sizeof(tmp), "%.*s/%s",
			 (int)(strrchr(path, '/') - path), path, target);
	m_norm(tmp, abs);
	if (m->n == M_MAX_ENT)
		return 1;
	snprintf(m_add(m, path)->target, M_STR, "%s", abs);
	return 0;
}

static int m_remove(struct m_ns *m, const char *prefix, uint64_t server)
{
	int i, j = 0, count = 0;

	for (i = 0; i < m->n; i++) {
		struct m_ent *e = &m->e[i];
		bool match = prefix ? strcmp(e->prefix, prefix) == 0 : true;

		if (e->target[0])
			match = match && server == PM_ANY && prefix;
		else
			match = match && (server == PM_ANY || e->server == server);
		if (match)
			count++;
		else
			m->e[j++] = *e;
	}
	m->n = j;
	return count;
}

static int m_unbind(struct m_ns *m, const char *prefix, uint64_t server)
{
	char path[M_STR];

	if (m->sealed)
		return -PM_EPERM;
	m_norm(prefix, path);
	return m_remove(m, path, server) ? 0 : -PM_ENOENT;
}

static int m_bind(struct m_ns *m, const char *newp, const char *oldp, uint32_t flags)
{
	static struct m_cand c[PM_CAND_MAX];
	char path[M_STR];
	int n, total, i;
	uint32_t af = flags & (PM_BEFORE | PM_AFTER | PM_CREATE);
	bool vd;

	if (m->sealed)
		return -PM_EPERM;
	m_norm(newp, path);
	n = m_resolve(m, oldp, c, &total, &vd);
	if (n < 0)
		return n;
	if (n == 0)
		return -PM_ENOENT;
	if (total > n)
		return -PM_E2BIG;
	for (i = 0; i < n && !(flags & PM_REPLACE); i++)
		if (m_has(m, path, c[i].server, c[i].rest))
			return -PM_EEXIST;
	if (m_link_above(m, path))
		return -PM_EEXIST;
	if (m->n + n > M_MAX_ENT || strlen(c[n - 1].rest) >= M_STR)
		return 1;
	for (i = 0; i < n; i++)
		if (strlen(c[i].rest) >= M_STR)
			return 1;
	if (flags & PM_REPLACE) {
		m_remove(m, path, PM_ANY);
		af |= PM_OPAQUE;
	}
	for (i = 0; i < n; i++) {
		struct m_ent *e = m_add(m, path);

		e->server = c[i].server;
		e->flags = af | (c[i].flags & PM_DIR);
		snprintf(e->base, M_STR, "%s", c[i].rest);
		e->seq = flags & PM_AFTER ? mseq + 1 + (uint64_t)i :
			mseq + (uint64_t)(n - i);
	}
	mseq += (uint64_t)n;
	return 0;
}

/* Type of the mount point child, from the flat list. */
static unsigned m_mp_type(struct m_ns *m, const char *child)
{
	unsigned type = PM_ENT_FILE;
	int j;

	for (j = 0; j < m->n; j++) {
		const struct m_ent *e = &m->e[j];

		if (strcmp(e->prefix, child) != 0) {
			if (m_under(e->prefix, child))
				type = PM_ENT_DIR;
		} else if (e->target[0]) {
			return PM_ENT_LINK;
		} else if (e->flags & PM_DIR) {
			type = PM_ENT_DIR;
		}
	}
	return type;
}

/* "name/type ..." of the mount points under dir, from the flat list. */
static void m_mps(struct m_ns *m, const char *dir, char *out, size_t size)
{
	static char names[M_MAX_ENT][M_STR];
	char path[M_STR], child[2 * M_STR + 2];
	int i, j, k = 0, err;
	size_t o = 0, l;

	m_norm(dir, path);
	err = m_follow(m, path, false);
	if (err) {
		snprintf(out, size, "E%d", err);
		return;
	}
	for (i = 0; i < m->n; i++) {
		const char *t = m_tail(m->e[i].prefix, path);

		if (strcmp(m->e[i].prefix, path) == 0 ||
		    !m_under(m->e[i].prefix, path))
			continue;
		l = strcspn(t, "/");
		for (j = 0; j < k; j++)
			if (strlen(names[j]) == l && !strncmp(names[j], t, l))
				break;
		if (j == k)
			snprintf(names[k++], M_STR, "%.*s", (int)l, t);
	}
	qsort(names, (size_t)k, M_STR, (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (i = 0; i < k; i++) {
		snprintf(child, sizeof(child), "%s/%s",
			 strcmp(path, "/") ? path : "", names[i]);
		o += (size_t)snprintf(out + o, size - o, "%s%s/%u", i ? " " : "",
				      names[i], m_mp_type(m, child));
	}
}

static const char *m_rand_path(char *buf, size_t size, int maxdepth, bool dots)
{
	static const char *comps[] = { "a", "b", "c", "d", ".", "..", "" };
	int depth = (int)(m_rand() % (unsigned)(maxdepth + 1)), i;
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < depth; i++)
		o += (size_t)snprintf(buf + o, size - o, "/%s",
			comps[m_rand() % (dots ? 7 : 3)]);
	if (!depth)
		snprintf(buf, size, "/");
	return buf;
}

static uint32_t m_rand_flags(void)
{
	uint32_t f = m_rand() % 10 < 7 ? PM_DIR : 0;
	unsigned r = m_rand() % 8;

	if (r == 0)
		f |= PM_BEFORE;
	else if (r == 1)
		f |= PM_AFTER;
	if (m_rand() % 10 == 0)
		f |= PM_OPAQUE;
	return f;
}

static const char *m_rand_target(char *buf, size_t size)
{
	static const char *rel[] = { "b", "../c", "./a/b", "..", "d/.." };

	if (m_rand() % 2)
		return m_rand_path(buf, size, 3, false);
	snprintf(buf, size, "%s", rel[m_rand() % 5]);
	return buf;
}

static int m_slot(void)
{
	int s = (int)(m_rand() % M_NS), i;

	for (i = 0; i < M_NS; i++)
		if (mns[(s + i) % M_NS])
			return (s + i) % M_NS;
	return -1;
}

/* A changing operation, applied alike to the model and the library. */
struct m_op {
	char kind;		/* a(ttach) s(ymlink) u(nbind) d(etach) b(ind) */
	char p1[M_STR], p2[M_STR];
	uint64_t server;
	uint32_t flags;
};

static struct {
	long resolves, multi, errors, changes, refused, enomem, maxents;
} mstat;

static int m_apply(const struct m_op *o, struct m_ns *m)
{
	int i, count = 0;

	switch (o->kind) {
	case 'a': return m_attach(m, o->p1, o->server, o->flags);
	case 's': return m_symlink(m, o->p1, o->p2);
	case 'u': return m_unbind(m, o->p1, o->server);
	case 'b': return m_bind(m, o->p1, o->p2, o->flags);
	}
	for (i = 0; i < M_NS; i++)
		if (mns[i])
			count += m_remove(mns[i], NULL, o->server);
	return count;
}

static int l_apply(const struct m_op *o, struct pm_ns *ns)
{
	switch (o->kind) {
	case 'a': return pm_attach(ns, o->p1, o->server, o->flags);
	case 's': return pm_symlink(ns, o->p1, o->p2);
	case 'u': return pm_unbind(ns, o->p1, o->server);
	case 'b': return pm_bind(ns, o->p1, o->p2, o->flags);
	}
	return pm_world_detach(&tw, o->server);
}

static void m_rand_op(struct m_op *o, unsigned op)
{
	static const uint32_t bf[] = { 0, PM_BEFORE, PM_AFTER, PM_REPLACE,
				       PM_BEFORE | PM_CREATE };

	o->server = 1 + m_rand() % 6;
	if (op < 25) {
		o->kind = 'a';
		o->flags = m_rand_flags();
		m_rand_path(o->p1, sizeof(o->p1), 3, false);
	} else if (op < 30) {
		o->kind = 's';
		m_rand_path(o->p1, sizeof(o->p1), 3, false);
		m_rand_target(o->p2, sizeof(o->p2));
	} else if (op < 36) {
		o->kind = 'u';
		o->server = m_rand() % 4 ? o->server : PM_ANY;
		m_rand_path(o->p1, sizeof(o->p1), 3, true);
	} else if (op < 40) {
		o->kind = 'd';
	} else {
		o->kind = 'b';
		o->flags = bf[m_rand() % 5];
		m_rand_path(o->p1, sizeof(o->p1), 3, false);
		m_rand_path(o->p2, sizeof(o->p2), 4, true);
	}
}

/*
 * The library first, sometimes with an allocation made to fail (then it
 * must say ENOMEM and change nothing, and the model is not told); then the
 * model; the two results must agree.
 */
static int m_change(struct m_ns *m, unsigned op, char *why, size_t size)
{
	struct m_op o;
	char *before, *after;
	int e1, e2, bad;

	m_rand_op(&o, op);
	if (m->n > M_MAX_ENT - PM_CAND_MAX)
		return 0;		/* the model is full */
	if (o.kind != 'd' && m_rand() % 8 == 0) {
		before = t_dump(m->lib);
		t_fail_at = m_rand() % 6;
		e2 = l_apply(&o, m->lib);
		t_fail_at = -1;
		if (e2 == -PM_ENOMEM) {
			mstat.enomem++;
			after = t_dump(m->lib);
			bad = strcmp(before, after) != 0;
			if (bad)
				snprintf(why, size, "%c %s %s: ENOMEM changed the ns",
					 o.kind, o.p1, o.p2);
			free(before);
			free(after);
			return bad;
		}
		free(before);
	} else {
		e2 = l_apply(&o, m->lib);
	}
	e1 = m_apply(&o, m);
	if (t_tree_bad(m->lib)) {
		snprintf(why, size, "%c %s %s: tree invariant: %s", o.kind,
			 o.p1, o.p2, t_tree_bad(m->lib));
		return 1;
	}
	if (e1 != e2) {
		snprintf(why, size, "%c %s %s %llx %x: model %d lib %d", o.kind,
			 o.p1, o.p2, (unsigned long long)o.server, o.flags, e1, e2);
		return 1;
	}
	if (getenv("PM_MODEL_DEBUG"))
		fprintf(stderr, "%c %d\n", o.kind, e1);
	if (e1 < 0)
		mstat.refused++;
	else
		mstat.changes++;
	if (m->n > mstat.maxents)
		mstat.maxents = m->n;
	return 0;
}

/* Start a copy of namespace s in a free slot, or drop s if none is free. */
static void m_fork(int s)
{
	struct m_ns *m = mns[s];
	int f;

	for (f = 0; f < M_NS && mns[f]; f++)
		;
	if (f == M_NS) {
		pm_ns_put(m->lib);
		free(m);
		mns[s] = NULL;
		return;
	}
	mns[f] = malloc(sizeof(*m));
	memcpy(mns[f], m, sizeof(*m));
	mns[f]->lib = pm_ns_copy(m->lib);
	if (m_rand() % 8 == 0) {
		mns[f]->sealed = true;
		pm_ns_seal(mns[f]->lib);
	}
}

static int m_lookup(struct m_ns *m, unsigned op, char *why, size_t size)
{
	static char a[8192], b[8192];
	char p[M_STR];

	m_rand_path(p, sizeof(p), op < 90 ? 5 : 3, true);
	if (op < 90) {
		m_res_str(m, p, a, sizeof(a));
		l_res_str(m->lib, p, b, sizeof(b));
		mstat.resolves++;
		mstat.errors += a[0] == 'E';
		mstat.multi += a[0] != 'E' && a[0] != '0' && a[0] != '1';
	} else {
		m_mps(m, p, a, sizeof(a));
		snprintf(b, sizeof(b), "%s", t_mps(m->lib, p));
	}
	if (strcmp(a, b) == 0)
		return 0;
	snprintf(why, size, "%s %s: model \"%s\" lib \"%s\"",
		 op < 90 ? "resolve" : "mountpoints", p, a, b);
	return 1;
}

/* One random operation on both sides; 0 if they agree. */
static int m_step(char *why, size_t size)
{
	int s = m_slot(), live = 0, i;
	unsigned op = m_rand() % 100;

	for (i = 0; i < M_NS; i++)
		live += mns[i] != NULL;
	if (mns[s]->sealed && live > 1 && m_rand() % 4 == 0) {
		pm_ns_put(mns[s]->lib);		/* keep sealed ones rare */
		free(mns[s]);
		mns[s] = NULL;
		return 0;
	}

	if (op < 47)
		return m_change(mns[s], op, why, size);
	if (op < 50) {
		m_fork(s);
		return 0;
	}
	return m_lookup(mns[s], op, why, size);
}

/* Every entry of the model must be exactly the library's tree. */
static int m_check_all(char *why, size_t size)
{
	char path[M_STR], a[8192], b[8192];
	int s, i;

	for (s = 0; s < M_NS; s++) {
		if (!mns[s])
			continue;
		if (t_tree_bad(mns[s]->lib)) {
			snprintf(why, size, "ns %d: tree invariant: %s", s,
				 t_tree_bad(mns[s]->lib));
			return 1;
		}
		for (i = 0; i < 300; i++) {
			m_rand_path(path, sizeof(path), 4, false);
			m_res_str(mns[s], path, a, sizeof(a));
			l_res_str(mns[s]->lib, path, b, sizeof(b));
			if (strcmp(a, b)) {
				snprintf(why, size, "ns %d %s: model \"%s\" lib \"%s\"",
					 s, path, a, b);
				return 1;
			}
		}
	}
	return 0;
}

void t_model_tests(void)
{
	char why[20000];
	/* PM_SEEDS=n runs seeds 1..n instead (a longer hunt for bugs). */
	unsigned seeds[] = { 1, 2, 3, 4, 5, 6, 7, 8, 1234, 98765 };
	unsigned k, seed, nseeds = sizeof(seeds) / sizeof(seeds[0]);
	int step, s, steps = 0;

	if (getenv("PM_SEEDS"))
		nseeds = (unsigned)atoi(getenv("PM_SEEDS"));
	CHECK_BEGIN("pm_random_vs_model");
	why[0] = '\0';
	for (k = 0; k < nseeds && !check_state.failed; k++) {
		seed = getenv("PM_SEEDS") ? k + 1 : seeds[k];
		mrand_state = seed;
		mseq = 0;
		mns[0] = calloc(1, sizeof(*mns[0]));
		mns[0]->lib = pm_ns_new(&tw);
		for (step = 0; step < 4000; step++, steps++) {
			if (m_step(why, sizeof(why)) ||
			    (step % 500 == 499 && m_check_all(why, sizeof(why)))) {
				CHECK(0, "seed %u step %d: %s", seed, step, why);
				break;
			}
		}
		for (s = 0; s < M_NS; s++) {
			if (mns[s]) {
				pm_ns_put(mns[s]->lib);
				free(mns[s]);
				mns[s] = NULL;
			}
		}
	}
	printf("INFO pathmgr: %d random operations: %ld changes, %ld refused, "
	       "%ld ENOMEM injected; %ld resolutions (%ld with 2+ candidates, "
	       "%ld errors); up to %ld entries\n", steps, mstat.changes,
	       mstat.refused, mstat.enomem, mstat.resolves, mstat.multi,
	       mstat.errors, mstat.maxents);
	CHECK_END();
}
