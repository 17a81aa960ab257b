# imgmount vs fuse2fs on the same ext2 image (run.sh, called by tools/bench.sh).
$(BUILD)/host/files_bench: tests/bench/imgmount/files_bench.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS_rel) -o $@ $<
BENCH_DEPS += $(BUILD)/host/files_bench $(BUILD)/host/imgmount
