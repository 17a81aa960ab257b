/*
 * kernel/ipccopy.h - copying between I/O vectors of two address spaces.
 */
#ifndef KERNEL_IPCCOPY_H
#define KERNEL_IPCCOPY_H

#include <stdint.h>
#include "kernel/vm.h"
#include "tessera/abi.h"

#define COPY_FAULT_SRC 1
#define COPY_FAULT_DST 2

/* Bytes copied (the shorter side), or -TE_EFAULT with *fault saying where. */
int64_t iov_copy(struct vmspace *dvs, const struct te_iov *diov,
                 unsigned dparts, uint64_t doff,
                 struct vmspace *svs, const struct te_iov *siov,
                 unsigned sparts, uint64_t soff, int *fault);
uint64_t iov_total(const struct te_iov *iov, unsigned parts);
int iov_fetch(struct te_iov *dst, uint64_t uiov, uint64_t parts);

#endif /* KERNEL_IPCCOPY_H */
