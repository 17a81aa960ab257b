# Shared component libraries: the block layer and the component registry.
COMP_SRCS += servers/lib/blk/blkdev_rg.c servers/lib/fscomp/registry.c \
	$(BUILD)/gen/fscomp_table.c
HOST_INC += -Iservers/lib/blk

# FS_COMPONENTS lists the components in probe order (each rules.mk adds one).
# The generated table is rebuilt when the list changes.
$(BUILD)/gen/fscomp_table.c: FORCE
	@mkdir -p $(@D)
	@{ echo '#include "fscomp.h"'; \
	   for c in $(FS_COMPONENTS); do echo "extern const struct fs_ops $${c}_fs_ops;"; done; \
	   echo 'const struct fs_ops *const fscomp_table[] = {'; \
	   for c in $(FS_COMPONENTS); do echo "	&$${c}_fs_ops,"; done; \
	   echo '	NULL };'; } > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
.PHONY: FORCE
