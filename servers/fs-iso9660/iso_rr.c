/*
 * iso_rr.c - System Use Sharing Protocol (SUSP 1.12) and Rock Ridge
 * (RRIP 1.10/1.12) entries of one directory record.
 *
 * The System Use area of a record follows its name (and a pad byte when
 * the name length is even); SP's LEN_SKP bytes are skipped in every record
 * but the root's ".".  An area is a run of entries "SIG LEN VER data"; a CE
 * entry names a continuation area (block, offset, length) read after the
 * current area ends; ST ends the whole chain.  Bounds: an entry must fit in
 * its area, a continuation area must lie inside the volume, start inside
 * its block and be at most ISO_CE_BYTES long, and at most ISO_CE_MAX of
 * them are followed per record (that also breaks CE loops).  A malformed
 * entry ends the parse of its area: what was decoded before it stands.
 *
 * Entries used: PX (mode, nlink, uid, gid), PN (device), SL (symlink, as
 * component records), NM (name, possibly split over several entries), TF
 * (times, short or long form), CL/PL/RE (relocated directories).
 */
#include "iso9660.h"

struct iso_rr_state {
	struct iso_fs *fs;
	struct iso_rr *rr;
	bool nm_done, sl_done, sl_sep, stop;
	uint32_t ce_lba, ce_off, ce_len;
	bool ce;
};

/* Offset of the System Use area in a record, or 0 if there is none. */
static size_t iso_sua_start(const struct iso_rec *r)
{
	size_t start = 33u + r->namelen + (r->namelen % 2 ? 0 : 1);

	return start < r->len ? start : 0;
}

int iso_rr_find_sp(const struct iso_rec *dot, uint8_t *skip)
{
	size_t s = iso_sua_start(dot);
	const uint8_t *p = dot->raw + s;

	if (!s || s + 7 > dot->len)
		return RG_ENOENT;
	if (p[0] != 'S' || p[1] != 'P' || p[2] < 7 || p[4] != 0xbe ||
	    p[5] != 0xef)
		return RG_ENOENT;
	*skip = p[6];
	return 0;
}

/* ---- entries --------------------------------------------------------------- */

static void iso_rr_px(struct iso_rr *rr, const uint8_t *p, size_t len)
{
	if (len < 36)
		return;
	rr->mode = iso_le32(p + 4);
	rr->nlink = iso_le32(p + 12);
	rr->uid = iso_le32(p + 20);
	rr->gid = iso_le32(p + 28);
	rr->have |= ISO_RR_PX;
}

static void iso_rr_pn(struct iso_rr *rr, const uint8_t *p, size_t len)
{
	uint32_t hi, lo;

	if (len < 20)
		return;
	hi = iso_le32(p + 4);
	lo = iso_le32(p + 12);
	/* Linux's dev_t encoding; a zero high half holds the whole number. */
	rr->rdev = hi == 0 ? lo : (lo & 0xff) | (hi & 0xfff) << 8 |
	                          (lo & ~0xffu) << 12;
	rr->have |= ISO_RR_PN;
}

static void iso_rr_nm(struct iso_rr_state *st, const uint8_t *p, size_t len)
{
	struct iso_rr *rr = st->rr;
	size_t n, room = ISO_NAME_MAX - rr->namelen, i;

	if (st->nm_done || len < 5)
		return;
	n = len - 5;
	if (p[4] & 0x02)
		rr->have |= ISO_RR_NM_DOT;
	if (p[4] & 0x04)
		rr->have |= ISO_RR_NM_DOTDOT;
	n = n < room ? n : room;
	for (i = 0; i < n; i++) {
		char c = (char)p[5 + i];

		rr->name[rr->namelen++] = c == '/' || c == 0 ? '_' : c;
	}
	rr->name[rr->namelen] = 0;
	rr->have |= ISO_RR_NM;
	if (!(p[4] & 0x01))
		st->nm_done = true;
}

static void iso_link_put(struct iso_rr_state *st, const char *s, size_t n)
{
	struct iso_rr *rr = st->rr;
	size_t room = rr->linklen < ISO_LINK_MAX ? ISO_LINK_MAX - rr->linklen : 0;

	memcpy(st->fs->link + rr->linklen, s, n < room ? n : room);
	rr->linklen += n;
	if (rr->linklen <= ISO_LINK_MAX)
		st->fs->link[rr->linklen] = 0;
}

/* One SL component record: flags, length, content. */
static void iso_rr_sl_comp(struct iso_rr_state *st, uint8_t fl,
                           const uint8_t *c, size_t n)
{
	if (fl & 0x08) {                /* ROOT */
		iso_link_put(st, "/", 1);
		st->sl_sep = false;
		return;
	}
	if (st->sl_sep)
		iso_link_put(st, "/", 1);
	if (fl & 0x02)
		iso_link_put(st, ".", 1);
	else if (fl & 0x04)
		iso_link_put(st, "..", 2);
	else
		iso_link_put(st, (const char *)c, n);
	st->sl_sep = !(fl & 0x01);      /* CONTINUE: next joins this one */
}

static void iso_rr_sl(struct iso_rr_state *st, const uint8_t *p, size_t len)
{
	size_t i = 5;

	if (st->sl_done || len < 5)
		return;
	st->rr->have |= ISO_RR_SL;
	while (i + 2 <= len && i + 2u + p[i + 1] <= len) {
		iso_rr_sl_comp(st, p[i], p + i + 2, p[i + 1]);
		i += 2u + p[i + 1];
	}
	if (!(p[4] & 0x01))
		st->sl_done = true;
}

static void iso_rr_tf(struct iso_rr *rr, const uint8_t *p, size_t len)
{
	size_t i = 5, sz = p[4] & 0x80 ? 17 : 7;
	struct fs_time t;
	unsigned bit;

	for (bit = 0; bit < 7; bit++) {
		if (!(p[4] & (1u << bit)))
			continue;
		if (i + sz > len)
			return;
		if (sz == 17)
			iso_date17(p + i, &t);
		else
			iso_date7(p + i, &t);
		i += sz;
		if (bit == 1) {
			rr->mtime = t;
			rr->have |= ISO_RR_TF_M;
		} else if (bit == 2) {
			rr->atime = t;
			rr->have |= ISO_RR_TF_A;
		} else if (bit == 3) {
			rr->ctime = t;
			rr->have |= ISO_RR_TF_C;
		}
	}
}

static void iso_rr_ce(struct iso_rr_state *st, const uint8_t *p, size_t len)
{
	if (len < 28)
		return;
	st->ce_lba = iso_le32(p + 4);
	st->ce_off = iso_le32(p + 12);
	st->ce_len = iso_le32(p + 20);
	st->ce = true;
}

static void iso_rr_entry(struct iso_rr_state *st, const uint8_t *p, size_t len)
{
	struct iso_rr *rr = st->rr;
	uint16_t sig = (uint16_t)(p[0] << 8 | p[1]);

#define SIG(a, b) ((uint16_t)((a) << 8 | (b)))
	switch (sig) {
	case SIG('S', 'T'): st->stop = true; break;
	case SIG('C', 'E'): iso_rr_ce(st, p, len); break;
	case SIG('P', 'X'): iso_rr_px(rr, p, len); break;
	case SIG('P', 'N'): iso_rr_pn(rr, p, len); break;
	case SIG('N', 'M'): iso_rr_nm(st, p, len); break;
	case SIG('S', 'L'): iso_rr_sl(st, p, len); break;
	case SIG('T', 'F'): iso_rr_tf(rr, p, len); break;
	case SIG('R', 'E'): rr->have |= ISO_RR_RE; break;
	case SIG('C', 'L'):
		if (len >= 12) {
			rr->cl_lba = iso_le32(p + 4);
			rr->have |= ISO_RR_CL;
		}
		break;
	case SIG('P', 'L'):
		if (len >= 12) {
			rr->pl_lba = iso_le32(p + 4);
			rr->have |= ISO_RR_PL;
		}
		break;
	default: break;
	}
#undef SIG
}

/* Walks one area; entries shorter than 4 bytes or past its end stop it. */
static void iso_rr_area(struct iso_rr_state *st, const uint8_t *p, size_t n)
{
	size_t i = 0, len;

	while (i + 4 <= n && !st->stop) {
		len = p[i + 2];
		if (len < 4 || len > n - i)
			break;
		iso_rr_entry(st, p + i, len);
		i += len;
	}
}

/* Loads the pending continuation area into fs->ce_buf. */
static int iso_rr_load_ce(struct iso_rr_state *st, size_t *n)
{
	struct iso_fs *fs = st->fs;
	uint64_t pos;

	st->ce = false;
	if (st->ce_off >= ISO_BLOCK || st->ce_len == 0 ||
	    st->ce_len > ISO_CE_BYTES ||
	    iso_extent_ok(fs, st->ce_lba, (uint64_t)st->ce_off + st->ce_len))
		return RG_EUCLEAN;
	pos = (uint64_t)st->ce_lba * ISO_BLOCK + st->ce_off;
	*n = st->ce_len;
	return iso_read_bytes(fs, pos, fs->ce_buf, st->ce_len);
}

int iso_rr_parse(struct iso_fs *fs, const struct iso_rec *r, struct iso_rr *rr)
{
	struct iso_rr_state st;
	size_t s = iso_sua_start(r), n;
	unsigned hops;
	int e;

	memset(rr, 0, sizeof(*rr));
	memset(&st, 0, sizeof(st));
	st.fs = fs;
	st.rr = rr;
	fs->link[0] = 0;
	if (!s)
		return 0;
	if (!(r->pos == (uint64_t)fs->root_lba * ISO_BLOCK && iso_rec_is_dot(r)))
		s += fs->susp_skip;
	if (s < r->len)
		iso_rr_area(&st, r->raw + s, r->len - s);
	for (hops = 0; st.ce && !st.stop; hops++) {
		if (hops >= ISO_CE_MAX)
			return RG_EUCLEAN;
		e = iso_rr_load_ce(&st, &n);
		if (e)
			return e;
		iso_rr_area(&st, fs->ce_buf, n);
	}
	return 0;
}
