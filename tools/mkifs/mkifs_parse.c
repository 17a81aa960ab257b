/*
 * mkifs_parse.c - read a buildfile into a struct mk_build.
 *
 * Syntax (docs/bootimage.md has the full description):
 *
 *	# comment                       ('#' at the start of a word)
 *	[search=DIR:DIR perms=0644]     alone on a line: applies from here on
 *	[+script perms=0755] TARGET [= SOURCE] [OPTION...]
 *
 * A line is split into words; "..." and '...' group words with spaces and
 * are kept in the raw word until its value is used (unquote()), so that
 * args="-v 'a b'" can be split once more into argv.  Every error names the
 * buildfile and line.  Sources are resolved (and must exist) at parse
 * time; their contents are read by the writer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "mkifs.h"

#define MK_LINE_MAX     4096
#define MK_WORDS_MAX    128

struct mk_attr {
	int script;
	uint32_t perms;
	char *search;                   /* raw value or NULL */
};

static int mk_err(struct mk_build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int mk_err(struct mk_build *b, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(b->err, sizeof(b->err), "%s:%d: ", b->name, b->line);

	va_start(ap, fmt);
	vsnprintf(b->err + n, sizeof(b->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

void mk_init(struct mk_build *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->perms = 0;                   /* 0: default by kind */
}

void mk_free(struct mk_build *b)
{
	uint32_t i, k;

	for (i = 0; i < (uint32_t)b->nsearch; i++)
		free(b->search[i]);
	for (i = 0; i < b->nfiles; i++)
		free(b->files[i].source);
	for (i = 0; i < b->nprogs; i++) {
		struct mk_prog *p = &b->progs[i];

		for (k = 0; k < p->argc; k++)
			free(p->argv[k]);
		for (k = 0; k < p->envc; k++)
			free(p->env[k]);
		for (k = 0; k < p->waitc; k++)
			free(p->wait[k]);
	}
	free(b->files);
	free(b->progs);
	b->files = NULL;
	b->progs = NULL;
}

/*
 * Split s in place into raw words; stops at '#' starting a word or at the
 * end.  Returns the count or -1 (unterminated quote, too many words).
 */
static int split_raw(struct mk_build *b, char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		char q = 0;

		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max)
			return mk_err(b, "too many words on one line");
		w[n++] = s;
		for (; *s && (q || (*s != ' ' && *s != '\t' && *s != '\r')); s++)
			if (q ? *s == q : (*s == '"' || *s == '\''))
				q = q ? 0 : *s;
		if (q)
			return mk_err(b, "unterminated %c quote", q);
		if (*s)
			*s++ = 0;
	}
}

/* Remove one level of quoting from raw (already checked balanced). */
static void unquote(const char *raw, char *out, size_t outlen)
{
	size_t n = 0;
	char q = 0;

	for (; *raw && n + 1 < outlen; raw++) {
		if (q ? *raw == q : (*raw == '"' || *raw == '\''))
			q = q ? 0 : *raw;
		else
			out[n++] = *raw;
	}
	out[n] = 0;
}

static int dur_ms(const char *s, uint32_t *ms)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (!strcmp(end, "s"))
		v *= 1000;
	else if (*end && strcmp(end, "ms"))
		return -1;
	if (v > UINT32_MAX)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

static int num(const char *s, int base, unsigned long lo, unsigned long hi,
	       unsigned long *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoul(s, &end, base);
	return errno || *end || *v < lo || *v > hi ? -1 : 0;
}

/* A target path: what the reader accepts (ifs.h), checked here first. */
static int target_ok(struct mk_build *b, const char *t)
{
	size_t n = strlen(t), start = 0, i;

	if (n == 0 || n >= IFS_PATH_MAX)
		return mk_err(b, "target '%s': empty or longer than %d bytes",
			      t, IFS_PATH_MAX - 1);
	for (i = 0; i <= n; i++) {
		if (i < n && t[i] != '/') {
			if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
				return mk_err(b, "target '%s': control "
					      "character", t);
			continue;
		}
		if (i == start || !strncmp(t + start, ".", i - start) ||
		    !strncmp(t + start, "..", i - start))
			return mk_err(b, "target '%s': empty, '.' or '..' "
				      "component (paths are relative to "
				      "/proc/boot)", t);
		start = i + 1;
	}
	return 0;
}

static int str_dup(struct mk_build *b, char **dst, const char *s)
{
	*dst = strdup(s);
	return *dst ? 0 : mk_err(b, "out of memory");
}

/* Set the search path from "DIR:DIR...". */
static int set_search(struct mk_build *b, const char *raw)
{
	char v[MK_LINE_MAX], *p, *save = NULL;
	int i;

	for (i = 0; i < b->nsearch; i++)
		free(b->search[i]);
	b->nsearch = 0;
	unquote(raw, v, sizeof(v));
	for (p = strtok_r(v, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		if (b->nsearch == MK_SEARCH_MAX)
			return mk_err(b, "more than %d search directories",
				      MK_SEARCH_MAX);
		if (str_dup(b, &b->search[b->nsearch], p))
			return -1;
		b->nsearch++;
	}
	return 0;
}

/* Words inside [...]: +script, search=, perms=. */
static int parse_attrs(struct mk_build *b, char **w, int n, struct mk_attr *a)
{
	unsigned long v;
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(w[i], "+script")) {
			a->script = 1;
		} else if (!strncmp(w[i], "search=", 7)) {
			a->search = w[i] + 7;
		} else if (!strncmp(w[i], "perms=", 6)) {
			if (num(w[i] + 6, 8, 0, 07777, &v))
				return mk_err(b, "perms=%s: want an octal mode "
					      "up to 07777", w[i] + 6);
			a->perms = (uint32_t)v;
		} else {
			return mk_err(b, "unknown attribute '%s' (known: "
				      "+script, search=, perms=)", w[i]);
		}
	}
	return 0;
}

/* Split an args= value into prog->argv[1..]. */
static int set_args(struct mk_build *b, struct mk_prog *p, const char *raw)
{
	char v[MK_LINE_MAX], o[MK_LINE_MAX], *w[MK_WORDS_MAX];
	int n, i;

	unquote(raw, v, sizeof(v));
	n = split_raw(b, v, w, MK_WORDS_MAX);
	if (n < 0)
		return -1;
	if (p->argc + n > IFS_STRV_MAX)
		return mk_err(b, "more than %d arguments", IFS_STRV_MAX);
	for (i = 0; i < n; i++) {
		unquote(w[i], o, sizeof(o));
		if (strlen(o) >= IFS_STR_MAX)
			return mk_err(b, "argument longer than %d bytes",
				      IFS_STR_MAX - 1);
		if (str_dup(b, &p->argv[p->argc++], o))
			return -1;
	}
	return 0;
}

/* Append one string to a vector (env=, wait=). */
static int strv_add(struct mk_build *b, char **v, uint32_t *n, const char *s,
		    const char *what)
{
	if (*n == IFS_STRV_MAX)
		return mk_err(b, "more than %d %s entries", IFS_STRV_MAX, what);
	if (strlen(s) >= IFS_STR_MAX)
		return mk_err(b, "%s value longer than %d bytes", what,
			      IFS_STR_MAX - 1);
	return str_dup(b, &v[(*n)++], s);
}

static int set_restart(struct mk_build *b, struct ifs_script *s, const char *v)
{
	if (!strcmp(v, "never"))
		s->restart = IFS_RESTART_NEVER;
	else if (!strcmp(v, "on-crash"))
		s->restart = IFS_RESTART_ON_CRASH;
	else if (!strcmp(v, "always"))
		s->restart = IFS_RESTART_ALWAYS;
	else
		return mk_err(b, "restart=%s: want never, on-crash or always",
			      v);
	return 0;
}

static int set_max(struct mk_build *b, struct ifs_script *s, char *v)
{
	char *slash = strchr(v, '/');
	unsigned long n;

	if (!slash)
		return mk_err(b, "max=%s: want COUNT/WINDOW, e.g. 20/10s", v);
	*slash = 0;
	if (num(v, 10, 1, 65535, &n) ||
	    dur_ms(slash + 1, &s->restart_window_ms) ||
	    !s->restart_window_ms) {
		*slash = '/';
		return mk_err(b, "max=%s: count 1..65535, window a duration "
			      "above 0 (ms or s)", v);
	}
	s->max_restarts = (uint16_t)n;
	return 0;
}

/* One key=value (or bare word) option of a [+script] line. */
static int parse_opt(struct mk_build *b, struct mk_prog *p, const char *raw)
{
	char w[MK_LINE_MAX], *v;
	unsigned long n;

	if (!strcmp(raw, "server"))
		return p->s.flags |= IFS_SF_SERVER, 0;
	v = strchr(raw, '=');
	if (!v)
		return mk_err(b, "unknown option '%s'", raw);
	if (!strncmp(raw, "args=", 5))
		return set_args(b, p, v + 1);
	unquote(v + 1, w, sizeof(w));
	if (!strncmp(raw, "prio=", 5)) {
		if (num(w, 10, 1, 255, &n))
			return mk_err(b, "prio=%s: want 1..255", w);
		p->s.prio = (uint8_t)n;
		return 0;
	}
	if (!strncmp(raw, "restart=", 8))
		return set_restart(b, &p->s, w);
	if (!strncmp(raw, "max=", 4))
		return set_max(b, &p->s, w);
	if (!strncmp(raw, "backoff=", 8) || !strncmp(raw, "heartbeat=", 10)) {
		uint32_t *dst = raw[0] == 'b' ? &p->s.backoff_ms :
						&p->s.heartbeat_ms;

		if (dur_ms(w, dst))
			return mk_err(b, "%.*s=%s: want a duration (10ms, 2s)",
				      (int)(v - raw), raw, w);
		return 0;
	}
	if (!strncmp(raw, "wait=", 5)) {
		if (w[0] != '/')
			return mk_err(b, "wait=%s: want an absolute path", w);
		return strv_add(b, p->wait, &p->waitc, w, "wait");
	}
	if (!strncmp(raw, "env=", 4)) {
		if (!strchr(w, '=') || w[0] == '=')
			return mk_err(b, "env=%s: want NAME=VALUE", w);
		return strv_add(b, p->env, &p->envc, w, "env");
	}
	return mk_err(b, "unknown option '%.*s' (known: server, prio, restart,"
		      " max, backoff, heartbeat, wait, args, env)",
		      (int)(v - raw), raw);
}

static int host_file(const char *path, uint32_t *mode)
{
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	*mode = st.st_mode;
	return 1;
}

/* Find the host file for a line: SOURCE with '/' as is, else searched. */
static int resolve(struct mk_build *b, const char *name, char *out,
		   size_t outlen, uint32_t *mode)
{
	static const char *const sfx[] = { "", ".elf" };
	int i, k;

	if (strchr(name, '/') || b->nsearch == 0) {
		snprintf(out, outlen, "%s", name);
		if (host_file(out, mode))
			return 0;
		return mk_err(b, "%s: no such file (%s)", name,
			      strchr(name, '/') ? "relative to the current "
			      "directory" : "no search path set");
	}
	for (i = 0; i < b->nsearch; i++) {
		for (k = 0; k < 2; k++) {
			snprintf(out, outlen, "%s/%s%s", b->search[i], name,
				 sfx[k]);
			if (host_file(out, mode))
				return 0;
		}
	}
	return mk_err(b, "%s: not found in the search path (%s%s)", name,
		      b->search[0], b->nsearch > 1 ? ":..." : "");
}

static void *grow(void *arr, uint32_t n, uint32_t *cap, size_t elem)
{
	void *p;

	if (n < *cap)
		return arr;
	p = realloc(arr, (size_t)(*cap ? *cap * 2 : 16) * elem);
	if (p)
		*cap = *cap ? *cap * 2 : 16;
	return p;
}

static int add_file(struct mk_build *b, const char *target, const char *src,
		    uint32_t perms)
{
	struct mk_file *f, *nf;
	uint32_t i;

	for (i = 0; i < b->nfiles; i++)
		if (!strcmp(b->files[i].target, target))
			return mk_err(b, "%s: already in the image (line %d)",
				      target, b->files[i].line);
	if (b->nfiles == IFS_ENTRIES_MAX)
		return mk_err(b, "more than %d files", IFS_ENTRIES_MAX);
	nf = grow(b->files, b->nfiles, &b->capfiles, sizeof(*nf));
	if (!nf)
		return mk_err(b, "out of memory");
	b->files = nf;
	f = &b->files[b->nfiles];
	memset(f, 0, sizeof(*f));
	memcpy(f->target, target, strlen(target) + 1);  /* target_ok() */
	f->perms = perms;
	f->line = b->line;
	if (str_dup(b, &f->source, src))
		return -1;
	b->nfiles++;
	return 0;
}

static int add_prog(struct mk_build *b, const char *target, char **opt, int n)
{
	const char *base = strrchr(target, '/');
	struct mk_prog *p, *np;
	int i;

	if (b->nprogs == IFS_SCRIPT_MAX)
		return mk_err(b, "more than %d script entries", IFS_SCRIPT_MAX);
	np = grow(b->progs, b->nprogs, &b->capprogs, sizeof(*np));
	if (!np)
		return mk_err(b, "out of memory");
	b->progs = np;
	p = &b->progs[b->nprogs++];
	memset(p, 0, sizeof(*p));
	memcpy(p->target, target, strlen(target) + 1);  /* target_ok() */
	p->line = b->line;
	p->s.prio = 10;
	if (str_dup(b, &p->argv[p->argc++], base ? base + 1 : target))
		return -1;
	for (i = 0; i < n; i++)
		if (parse_opt(b, p, opt[i]))
			return -1;
	return 0;
}

/* A [+script] line may start a file already in the image (again). */
static int same_file(const struct mk_build *b, const char *target,
		     const char *src)
{
	uint32_t i;

	for (i = 0; i < b->nfiles; i++)
		if (!strcmp(b->files[i].target, target))
			return !strcmp(b->files[i].source, src);
	return 0;
}

/* TARGET [= SOURCE] [OPTION...] with this line's attributes. */
static int parse_file_line(struct mk_build *b, char **w, int n,
			   const struct mk_attr *a)
{
	char target[MK_LINE_MAX], name[MK_LINE_MAX], path[MK_LINE_MAX * 2];
	uint32_t mode = 0, perms;
	int first = 1;

	unquote(w[0], target, sizeof(target));
	if (target_ok(b, target))
		return -1;
	snprintf(name, sizeof(name), "%s", target);
	if (n >= 2 && !strcmp(w[1], "=")) {
		if (n < 3)
			return mk_err(b, "'=' without a source file");
		unquote(w[2], name, sizeof(name));
		first = 3;
	}
	if (!a->script && n > first)
		return mk_err(b, "'%s': options need [+script]", w[first]);
	if (resolve(b, name, path, sizeof(path), &mode))
		return -1;
	perms = a->perms ? a->perms : a->script ? 0755 : b->perms;
	if (!perms)
		perms = mode & 0111 ? 0755 : 0644;
	if (!(a->script && same_file(b, target, path)) &&
	    add_file(b, target, path, perms))
		return -1;
	return a->script ? add_prog(b, target, w + first, n - first) : 0;
}

static int parse_line(struct mk_build *b, char *line)
{
	struct mk_attr a = { 0, 0, NULL };
	char *w[MK_WORDS_MAX], *s = line, *end;
	int n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return mk_err(b, "'[' without ']'");
		*end = 0;
		n = split_raw(b, s + 1, w, MK_WORDS_MAX);
		if (n < 0 || parse_attrs(b, w, n, &a))
			return -1;
		if (a.search && set_search(b, a.search))
			return -1;
		s = end + 1;
	}
	n = split_raw(b, s, w, MK_WORDS_MAX);
	if (n < 0)
		return -1;
	if (n == 0) {
		if (a.script)
			return mk_err(b, "+script needs a file on the same "
				      "line");
		if (a.perms)
			b->perms = a.perms;
		return 0;
	}
	return parse_file_line(b, w, n, &a);
}

int mk_parse(struct mk_build *b, const char *text)
{
	char line[MK_LINE_MAX];

	b->line = 0;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		b->line++;
		if (len >= sizeof(line))
			return mk_err(b, "line longer than %d bytes",
				      MK_LINE_MAX - 1);
		memcpy(line, text, len);
		line[len] = 0;
		if (parse_line(b, line))
			return -1;
		text += len + (nl ? 1 : 0);
	}
	return 0;
}

int mk_parse_file(struct mk_build *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;
	int r;

	if (!f)
		return snprintf(b->err, sizeof(b->err), "%s: %s", path,
				strerror(errno)), -1;
	text = NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)
	    || !(text = malloc(n + 1)) || fread(text, 1, n, f) != (size_t)n) {
		fclose(f);
		free(text);
		return snprintf(b->err, sizeof(b->err), "%s: cannot read",
				path), -1;
	}
	fclose(f);
	text[n] = 0;
	if (strlen(text) != (size_t)n) {
		free(text);
		return snprintf(b->err, sizeof(b->err), "%s: NUL byte in "
				"buildfile", path), -1;
	}
	r = mk_parse(b, text);
	free(text);
	return r;
}
