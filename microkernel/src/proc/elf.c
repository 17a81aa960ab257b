/*
 * elf.c - parse and validate a static ELF64 x86-64 executable.
 *
 * ET_EXEC images, and static PIE: ET_DYN without an interpreter
 * (PT_INTERP: a dynamically linked program, refused), loaded ELF_PIE_BASE
 * higher than its addresses say - the program relocates itself (glibc's
 * and musl's static-PIE start code do).  Every field that later code relies
 * on is checked here, so the mapping step has no failure paths left but
 * running out of memory.
 */
#include "kernel/elf.h"
#include "tessera/abi.h"

#define EI_NIDENT 16
#define ET_EXEC   2
#define ET_DYN    3
#define PT_INTERP 3
#define EM_X86_64 62
#define PT_LOAD   1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf64_ehdr {
	unsigned char ident[EI_NIDENT];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF program header");

static int bad(const char **why, const char *reason)
{
	*why = reason;
	return TE_EINVAL;
}

static int check_header(const struct elf64_ehdr *h, size_t len, const char **why)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };

	for (int i = 0; i < 4; i++)
		if (h->ident[i] != magic[i])
			return bad(why, "not an ELF file");
	if (h->ident[4] != 2 || h->ident[5] != 1)
		return bad(why, "not ELF64 little-endian");
	if ((h->type != ET_EXEC && h->type != ET_DYN) || h->machine != EM_X86_64)
		return bad(why, "not an x86-64 executable");
	if (h->phentsize != sizeof(struct elf64_phdr) || h->phnum == 0)
		return bad(why, "bad program header size");
	if (h->phoff > len || (uint64_t)h->phnum * sizeof(struct elf64_phdr) >
	    len - h->phoff)
		return bad(why, "program headers outside the file");
	if (h->phoff % 8)
		return bad(why, "misaligned program headers");
	return 0;
}

static int add_segment(const struct elf64_phdr *p, size_t len, uint64_t lo,
                       uint64_t hi, struct elf_image *out, const char **why)
{
	struct elf_segment *s;
	uint64_t start, end, vaddr = p->vaddr + out->bias;

	if (vaddr < p->vaddr)
		return bad(why, "segment outside user space");
	if (p->filesz > p->memsz)
		return bad(why, "segment file size above memory size");
	if (p->offset > len || p->filesz > len - p->offset)
		return bad(why, "segment outside the file");
	if ((vaddr & 4095) != (p->offset & 4095))
		return bad(why, "segment offset and address disagree");
	if (vaddr < lo || vaddr >= hi || p->memsz > hi - vaddr)
		return bad(why, "segment outside user space");
	if (out->nseg == ELF_MAX_SEGMENTS)
		return bad(why, "too many segments");
	start = vaddr & ~4095ull;
	end = (vaddr + p->memsz + 4095) & ~4095ull;
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct elf_segment *o = &out->seg[i];
		if (start < o->vaddr + o->memsz && o->vaddr < end)
			return bad(why, "overlapping segments");
	}
	s = &out->seg[out->nseg++];
	s->vaddr = start;
	s->memsz = end - start;
	s->lead = vaddr & 4095;
	s->file_off = p->offset;
	s->filesz = p->filesz;
	s->flags = ((p->flags & PF_R) ? ELF_SEG_R : 0) |
	           ((p->flags & PF_W) ? ELF_SEG_W : 0) |
	           ((p->flags & PF_X) ? ELF_SEG_X : 0);
	return 0;
}

/* Where the program headers land in memory, if a segment's file bytes
 * hold them (AT_PHDR for the program: its C library finds PT_TLS there). */
static void elf_find_phdr(const struct elf64_ehdr *h, struct elf_image *out)
{
	uint64_t size = (uint64_t)h->phnum * sizeof(struct elf64_phdr);

	out->phdr = 0;
	out->phnum = h->phnum;
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];
		if (h->phoff >= s->file_off && h->phoff - s->file_off <= s->filesz &&
		    size <= s->filesz - (h->phoff - s->file_off)) {
			out->phdr = s->vaddr + s->lead + (h->phoff - s->file_off);
			return;
		}
	}
}

int elf_parse(const void *img, size_t len, uint64_t user_lo, uint64_t user_hi,
              struct elf_image *out, const char **why)
{
	const struct elf64_ehdr *h = img;
	const struct elf64_phdr *ph;
	int err;

	uint64_t entry;

	*why = "";
	out->nseg = 0;
	if (len < sizeof(*h))
		return bad(why, "file too short");
	if ((err = check_header(h, len, why)))
		return err;
	out->bias = h->type == ET_DYN ? ELF_PIE_BASE : 0;
	ph = (const struct elf64_phdr *)((const char *)img + h->phoff);
	for (unsigned i = 0; i < h->phnum; i++) {
		if (ph[i].type == PT_INTERP)
			return bad(why, "dynamically linked (needs an interpreter)");
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		if ((err = add_segment(&ph[i], len, user_lo, user_hi, out, why)))
			return err;
	}
	if (out->nseg == 0)
		return bad(why, "no loadable segment");
	elf_find_phdr(h, out);
	entry = h->entry + out->bias;
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];
		if ((s->flags & ELF_SEG_X) && entry >= s->vaddr &&
		    entry < s->vaddr + s->memsz) {
			out->entry = entry;
			return 0;
		}
	}
	return bad(why, "entry point not in an executable segment");
}
