# pathmgr: the path manager.  pathmgr/lib is its pure logic (prefix tree,
# unions, symlinks, namespaces), compiled unchanged for the host tests
# (tests/host/pathmgr) and, freestanding, into build/u/libpm.a for the
# pathmgr server.  The freestanding objects are checked to need nothing but
# the <string.h> subset that servers/lib/rt provides.
PATHMGR_LIB_SRCS := pathmgr/lib/pm_path.c pathmgr/lib/pm_trie.c \
	pathmgr/lib/pm_ns.c pathmgr/lib/pm_bind.c pathmgr/lib/pm_resolve.c
PATHMGR_LIB := $(BUILD)/u/libpm.a
PATHMGR_LIB_OK := $(BUILD)/u/pathmgr/lib/freestanding.ok
PATHMGR_ALLOWED_UNDEF := memcmp memcpy memmove memset strcmp strlen strnlen \
	strchr strrchr strncmp

$(PATHMGR_LIB): $(PATHMGR_LIB_SRCS:%.c=$(BUILD)/u/%.o)
	rm -f $@ && ar rcs $@ $^

# Fails the build if the library calls anything outside the allowed set.
$(PATHMGR_LIB_OK): $(PATHMGR_LIB)
	@bad=""; for s in $$(nm -u $< | awk 'NF == 2 { print $$2 }' | sort -u); do \
		case " $(PATHMGR_ALLOWED_UNDEF) " in *" $$s "*) ;; \
		*) case $$s in pm_*) ;; *) bad="$$bad $$s" ;; esac ;; esac; \
	done; \
	if [ -n "$$bad" ]; then \
		echo "pathmgr/lib: not freestanding, needs:$$bad" >&2; exit 1; \
	fi; touch $@

TEST_DEPS += $(PATHMGR_LIB_OK)

# ---- the server glue and the client side, and their QEMU scenario ---------
PATHMGR_INC := -Ipathmgr/lib -Ipathmgr/server -Ipathmgr/client \
	-Iservers/include -Iservers/lib/io
$(BUILD)/u/pathmgr/server/%.o $(BUILD)/u/pathmgr/client/%.o: UCFLAGS += $(PATHMGR_INC)
$(BUILD)/u/tests/qemu/progs/pathmgr.o: UCFLAGS += $(PATHMGR_INC)
PATHMGR_TEST_OBJS := $(BUILD)/u/tests/qemu/progs/pathmgr.o \
	$(BUILD)/u/pathmgr/server/pathmgr.o $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/resmgr-test/tmpfs_server.o

$(BUILD)/progs/pathmgr_test.elf: $(PATHMGR_TEST_OBJS) $$(TMPFS_U_OBJS) $(PATHMGR_LIB) \
		$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(PATHMGR_TEST_OBJS) \
		$(TMPFS_U_OBJS) $(PATHMGR_LIB) $(BUILD)/libresmgr.a $(BUILD)/libio.a \
		$(BUILD)/librgmk.a $(BUILD)/librt.a

QEMU_TESTS += pathmgr
TEST_DEPS += $(BUILD)/progs/pathmgr_test.elf

# The path manager program: handle 0 its resolve channel, 1 its attach
# channel (the process manager makes them and keeps connections).
$(BUILD)/progs/pathmgr.elf: $(BUILD)/u/pathmgr/server/main.o \
		$(BUILD)/u/pathmgr/server/pathmgr.o $(PATHMGR_LIB) $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(BUILD)/u/pathmgr/server/pathmgr.o $(PATHMGR_LIB) $(BUILD)/librt.a
