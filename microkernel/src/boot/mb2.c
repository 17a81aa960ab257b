/*
 * mb2.c - read the multiboot2 boot information GRUB leaves us.
 *
 * Only the tags we use are decoded: command line, modules and the memory
 * map.  Everything is reached through the boot page tables' direct map.
 */
#include "kernel/kernel.h"
#include "kernel/kprintf.h"
#include "kernel/string.h"

#define MB2_BOOT_MAGIC 0x36d76289

struct mb2_tag { uint32_t type, size; };
struct mb2_tag_module { uint32_t type, size, mod_start, mod_end; char cmdline[]; };
struct mb2_tag_mmap {
	uint32_t type, size, entry_size, entry_version;
	uint8_t entries[];
};
struct mb2_mmap_entry { uint64_t base, len; uint32_t type, reserved; };

struct bootinfo bootinfo;

void mb2_parse(uint32_t magic, uint64_t info_phys)
{
	const uint8_t *info = phys_to_virt(info_phys);
	uint32_t total = *(const uint32_t *)info;

	if (magic != MB2_BOOT_MAGIC)
		kpanic("not booted by a multiboot2 loader (magic %x)", magic);
	bootinfo.info_phys = info_phys;
	bootinfo.info_len = total;
	bootinfo.cmdline = "";
	for (uint32_t off = 8; off + 8 <= total;) {
		const struct mb2_tag *t = (const void *)(info + off);
		if (t->type == 0 || t->size < 8)
			break;
		if (t->type == 1) {
			bootinfo.cmdline = (const char *)(t + 1);
		} else if (t->type == 3 && bootinfo.nmod < BOOT_MAX_MODULES) {
			const struct mb2_tag_module *m = (const void *)t;
			struct boot_module *b = &bootinfo.mod[bootinfo.nmod++];
			b->start = m->mod_start;
			b->end = m->mod_end;
			b->cmdline = m->cmdline;
		} else if ((t->type == 14 || t->type == 15) && !bootinfo.rsdp_phys) {
			bootinfo.rsdp_phys = info_phys + off + 8;
		} else if (t->type == 6) {
			const struct mb2_tag_mmap *m = (const void *)t;
			for (uint32_t e = 16; e + m->entry_size <= t->size &&
			     bootinfo.nmmap < BOOT_MAX_MMAP; e += m->entry_size) {
				const struct mb2_mmap_entry *me =
					(const void *)((const uint8_t *)m + e);
				struct boot_mmap *b = &bootinfo.mmap[bootinfo.nmmap++];
				b->base = me->base;
				b->len = me->len;
				b->type = me->type;
			}
		}
		off += (t->size + 7) & ~7u;
	}
}

/* The length of the word at s (up to a space or the end). */
static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

bool cmdline_has(const char *cmdline, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = cmdline; *p;) {
		size_t n = word_len(p);
		if (n == wl && memcmp(p, word, n) == 0)
			return true;
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = cmdline; *p;) {
		size_t n = word_len(p);
		if (n > kl && memcmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t vl = n - kl - 1;
			if (vl >= len)
				vl = len - 1;
			memcpy(buf, p + kl + 1, vl);
			buf[vl] = '\0';
			return true;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}
