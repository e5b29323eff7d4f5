/*
 * kernel/arch_info.h - arch contract: descriptions of the host for the boot
 * banner and the verdict on hardware virtualization support.
 */
#ifndef KERNEL_ARCH_INFO_H
#define KERNEL_ARCH_INFO_H

#include "kernel/types.h"

/* One line naming the host CPU: vendor, family/model/stepping, brand. */
void arch_cpu_describe(char *buf, size_t size);

/*
 * Probe hardware virtualization (VT-x on x86) without enabling it; prints
 * what was found and one verdict line. Returns true when guests can run.
 */
bool arch_virt_probe(void);
/* Enter hardware virtualization on this CPU (VMXON); needs a usable probe. */
int arch_virt_init(void);

#endif
