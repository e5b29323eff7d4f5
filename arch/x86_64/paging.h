/*
 * arch/x86_64/paging.h - the host page tables (arch/x86_64/paging.c).
 */
#ifndef ARCH_X86_64_PAGING_H
#define ARCH_X86_64_PAGING_H

#include "kernel/multiboot.h"

/*
 * Build and load the hypervisor's identity map: all RAM and the first 4 GiB
 * write-back where there is RAM, uncached elsewhere (device windows such as
 * the LAPIC and IO-APIC), page 0 left unmapped to catch NULL pointers.
 */
int arch_paging_init(const struct vmm_boot_info *bi);
/* This CPU's PAT as the host map wants it (the boot CPU in
 * arch_paging_init, each AP as it starts). */
void arch_paging_init_cpu(void);
/* Map [base, base + len) write-combining, in 2 MiB pages (above the first
 * 2 MiB; a 1 GiB page around it is split): the framebuffer. Boot CPU,
 * before the other CPUs start. */
int arch_paging_map_wc(u64 base, u64 len);

#endif
