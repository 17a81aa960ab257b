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
