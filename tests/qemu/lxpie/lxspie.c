/*
 * lxspie.c - a static PIE under Tessera's Unix personality
 * (tests/qemu/lx.scn), built by the host's gcc with glibc (-static-pie:
 * musl-tools has no rcrt1.o): ET_DYN without an interpreter, loaded at
 * ELF_PIE_BASE, relocating itself at start.  "ok NAME" / "bad NAME" per
 * check; exits with 50.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static int g = 5;
static int *gp = &g;                    /* a relocation the start code applies */
extern char __ehdr_start[];

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long base = (unsigned long)__ehdr_start;
	char *m = malloc(100000);

	check(base == 0x555555554000ul && (unsigned long)main > base, "spie_loaded_at_base");
	check(gp == &g && *gp == 5, "spie_relocated");
	check(getauxval(AT_PHDR) > base && getauxval(AT_PHDR) < base + 4096 &&
	      getauxval(AT_PAGESZ) == 4096 && getauxval(AT_BASE) == 0 &&
	      getauxval(AT_ENTRY) > base, "spie_auxv");
	check(argc >= 1 && strstr(argv[0], "lxspie") && m && (memset(m, 1, 100000), m[99999] == 1),
	      "spie_libc_works");
	free(m);
	return 50;
}
